// The headless host's typed commands for its paired phones: `phones` lists them with when
// they were last seen, `revoke <number, name or id>` unpairs one after asking.

import { TetherError } from "#protocol";
import { seenText } from "../core/devices/seen";
import type { PhoneView } from "../core/devices/phoneDirectory";
import type { Host } from "../core/host";
import { HOOKS_COMMANDS_HELP } from "./hooksCommand";
import type { Terminal } from "./terminal";

export const PHONE_COMMANDS_HELP = `Commands while it runs:
  (Enter)                  show a new pairing code
  phones                   list the paired phones and when each was last seen
  revoke <n | name | id>   unpair a phone: the relay disconnects it at once and refuses it,
                           and the other phones get a new key it never sees
${HOOKS_COMMANDS_HELP}
  help                     this list`;

/** The phone a person means: its number in the `phones` list, its id, or its name (any case). */
export function findPhone(phones: readonly PhoneView[], query: string): PhoneView | PhoneView[] | undefined {
  const n = Number(query);
  if (Number.isInteger(n) && n >= 1 && n <= phones.length && String(n) === query) return phones[n - 1];
  const byId = phones.find((p) => p.id === query);
  if (byId) return byId;
  const byName = phones.filter((p) => p.name.toLowerCase() === query.toLowerCase());
  if (byName.length === 1) return byName[0];
  return byName.length > 1 ? byName : undefined;
}

export function phoneCommands(host: Host, term: Terminal, now = Date.now): (line: string) => Promise<void> {
  const list = (): void => {
    const phones = host.phoneList();
    if (phones.length === 0) {
      term.say("No phone is paired. Press Enter for a pairing code.");
      return;
    }
    phones.forEach((p, i) => term.say(`  ${i + 1}. ${p.name} · ${seenText(p, now())} · id ${p.id}`));
  };

  const revoke = async (query: string): Promise<void> => {
    if (!query) {
      term.say("Which phone? revoke <number, name or id>; `phones` lists them.");
      return;
    }
    const found = findPhone(host.phoneList(), query);
    if (!found) {
      term.say(`No paired phone is called "${query}". \`phones\` lists them.`);
      return;
    }
    if (Array.isArray(found)) {
      term.say(`${found.length} phones are called "${query}"; revoke one by its number or id:`);
      for (const p of found) term.say(`  ${p.name} · ${seenText(p, now())} · id ${p.id}`);
      return;
    }
    if (!(await term.ask(`Revoke "${found.name}"? It is disconnected at once and must pair again to come back.`))) {
      term.say("Not revoked.");
      return;
    }
    try {
      await host.revokePhone(found.id);
      term.say(`Revoked "${found.name}". The other phones have a new key.`);
    } catch (err) {
      term.say(err instanceof TetherError ? err.message : `Could not revoke "${found.name}": ${(err as Error).message}`);
    }
  };

  return async (line) => {
    const [word = "", ...rest] = line.split(/\s+/);
    switch (word.toLowerCase()) {
      case "phones":
        return list();
      case "revoke":
        return revoke(rest.join(" "));
      case "help":
        term.say(PHONE_COMMANDS_HELP);
        return;
      default:
        term.say(`Unknown command "${word}". Type help for the list.`);
    }
  };
}

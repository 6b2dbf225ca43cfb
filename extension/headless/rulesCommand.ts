// `tether-host rules`: the commands allowed on this computer by "Always on this computer" on a
// phone or in the editor's prompt, listed, and taken back with `--remove`. A host that is
// running notices the change within a second; no restart.

import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { HostRulesFile } from "../node/hostRulesFile";

export const RULES_HELP = `Usage: tether-host rules [--remove <rule>] [--state-dir <dir>]

Lists the commands allowed on this computer with "Always on this computer", or takes one back.
Rules given with --allow are not listed: they last as long as the flag.

  --remove <rule>      Take back a rule, e.g. --remove "npm test"
  --state-dir <dir>    The host's state directory (env TETHER_STATE_DIR, default ~/.tether)
  -h, --help           Show this help
`;

/** Runs `tether-host rules …` (argv after `rules`); returns the exit code. */
export function runRulesCommand(argv: string[], env: NodeJS.ProcessEnv, out: (text: string) => void): number {
  const { values } = parseArgs({
    args: argv,
    options: { remove: { type: "string" }, "state-dir": { type: "string" }, help: { type: "boolean", short: "h" } },
    strict: true,
  });
  if (values.help) {
    out(RULES_HELP);
    return 0;
  }
  const file = new HostRulesFile(resolve(values["state-dir"] ?? env.TETHER_STATE_DIR ?? join(homedir(), ".tether")));
  if (values.remove !== undefined) {
    if (!file.remove(values.remove)) {
      out(`No rule "${values.remove}" is allowed on this computer. "tether-host rules" lists them.\n`);
      return 1;
    }
    out(`Removed "${values.remove.trim()}": it asks again from now on, in a host that is running too.\n`);
    return 0;
  }
  const rules = file.list();
  if (rules.length === 0) {
    out(`No rules allowed on this computer yet (${file.path}).\n`);
    return 0;
  }
  out(`Allowed on this computer (${file.path}):\n`);
  for (const kept of rules) {
    out(`  ${kept.rule}    added ${new Date(kept.addedAt).toISOString().slice(0, 16).replace("T", " ")} from ${kept.by}\n`);
  }
  out(`Take one back with: tether-host rules --remove "<rule>"\n`);
  return 0;
}

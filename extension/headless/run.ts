// Runs a headless host in this process: identity from the state directory, the mirror on
// the folder, the relay link, and the terminal for pairing. Used by `tether-host` and by
// `npm start`.

import { Host } from "../core/host";
import { HostIdentity } from "../core/identity";
import type { Log } from "../core/log";
import { Mirror } from "../core/mirror/mirror";
import { nodeFileSystem } from "../node/nodeFileSystem";
import { stateFile } from "../node/stateFile";
import type { HostConfig } from "./config";
import { createTerminal, type Terminal } from "./terminal";

function terminalLog(term: Terminal): Log {
  const fmt = (fields?: Record<string, unknown>): string =>
    fields && Object.keys(fields).length
      ? " (" +
        Object.entries(fields)
          .map(([k, v]) => `${k}: ${String(v)}`)
          .join(", ") +
        ")"
      : "";
  return {
    info: () => undefined,
    warn: (m, f) => term.say(`warning: ${m}${fmt(f)}`),
    error: (m, f) => term.say(`error: ${m}${fmt(f)}`),
  };
}

export interface RunningHost {
  host: Host;
  close(): void;
}

export async function runHeadlessHost(config: HostConfig): Promise<RunningHost> {
  const term = createTerminal(process.stdin, process.stdout);
  const log = terminalLog(term);
  const identity = await HostIdentity.loadOrCreate(stateFile(config.stateDir));
  let mirror: Mirror;
  try {
    mirror = await Mirror.open({ fs: nodeFileSystem, root: config.folder });
  } catch {
    throw new Error(`${config.folder} is not a folder this host can open`);
  }
  const host = new Host({
    relay: config.relay,
    name: config.name,
    identity,
    mirror,
    log,
    confirmPairing: config.acceptPairing
      ? async (p) => {
          term.say(`Pairing "${p.phoneName}" (code ${p.code}): accepted by --accept-pairing.`);
          return true;
        }
      : (p) => term.confirm(p),
  });

  term.say(`Tether host "${config.name}" on ${mirror.root}`);
  term.say(`Relay ${config.relay} · state in ${config.stateDir}`);
  let lastState = "";
  host.on("state", (state, detail) => {
    const line =
      state === "open"
        ? "connected to the relay"
        : state === "connecting"
          ? `connecting to the relay…${detail ? ` (${detail})` : ""}`
          : "";
    if (line && line !== lastState) term.say(line);
    lastState = line;
  });
  host.on("paired", (phone) => term.say(`Paired "${phone.name}". It can now browse ${mirror.root}.`));
  host.on("declined", (p) => term.say(`Pairing with "${p.phoneName}" declined.`));
  host.on("pairing-failed", (message) => term.say(`Pairing failed: ${message}`));
  host.on("fatal", (err) => {
    term.say(`error: ${err.message}`);
    process.exitCode = 1;
    close();
  });

  const showPairing = (): void => {
    host.openPairing().then(
      (offer) => term.showPairing(offer),
      (err: Error) => term.say(`Could not show a pairing code: ${err.message}`),
    );
  };
  term.onEnter(showPairing);

  await host.start();
  const paired = host.phones.length;
  if (config.pair === true || (config.pair === "auto" && paired === 0)) showPairing();
  else term.say(`${paired} phone${paired === 1 ? "" : "s"} paired.${term.interactive ? " Press Enter to pair another." : ""}`);

  let closed = false;
  function close(): void {
    if (closed) return;
    closed = true;
    host.close();
    term.close();
  }
  return { host, close };
}

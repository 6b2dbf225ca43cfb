// Tether's own parts, set up the way the tests set them up: a relay process (optionally with
// a crowd of idle paired phones), a host core in this process, and a phone client running the
// PWA's pairing, sealing and opening code.

import { join } from "node:path";
import { startCrowd } from "./crowd";
import { buildPopulation } from "./population";
import { startRelayProcess, type RelayProcess } from "../../test/support/relayProcess";
import type { Cleanup } from "./scenario";

/** A relay process with `idle` paired phones connected and doing nothing. */
export async function relayWithCrowd(
  tmp: string,
  idle: number,
  cleanup: Cleanup,
  log: (line: string) => void,
): Promise<RelayProcess> {
  const dataDir = join(tmp, "relay");
  const tokens = idle > 0 ? (await buildPopulation(dataDir, idle)).phones : [];
  const relay = cleanup.add(await startRelayProcess({ dataDir }), (r) => r.stop());
  if (idle > 0) {
    log(`connecting ${idle} idle phones`);
    cleanup.add(await startCrowd({ kind: "tether", url: relay.url, tokens, tokensFile: join(tmp, "tokens.json") }), (c) =>
      c.stop(),
    );
  }
  return relay;
}

// `npm start -- --help`, kept apart from start.ts so it can be shown before anything is built.

import { HOST_OPTIONS_HELP } from "../extension/headless/config";

export const START_HELP = `Usage: npm start -- [options]

Starts a Tether relay on this machine (serving the phone app) and a host on the current
folder, then shows a QR code to pair your phone.

Reaching your phone (its browser needs HTTPS; see the README, "Reaching your phone"):
  --tailscale          Serve the relay to your tailnet at https://<this machine>.ts.net
                       with \`tailscale serve\` (Tailscale installed and logged in)
  --tunnel             Give the relay a public https://….trycloudflare.com address with a
                       cloudflared quick tunnel; the relay is blind, so only ciphertext is exposed
  --public-url <url>   Your own HTTPS address for the relay (a reverse proxy in front of it)
  Both tunnels are stopped when Tether exits.

Relay options:
  --port <n>           Port for the relay (default 8787)
  --listen <addr>      Address the relay listens on, optionally with the port, e.g.
                       0.0.0.0:8787 (default 127.0.0.1)
  --data-dir <dir>     Relay database folder (default ~/.tether/relay)
  --relay <url>        Use this relay instead of starting one

Host options:
${HOST_OPTIONS_HELP.split("\n")
  .filter((l, i, all) => !/^\s*--(relay|pair|tailscale|tunnel) /.test(l) && !isContinuationOfDropped(all, i))
  .join("\n")}

  -h, --help           Show this help
`;

/** A wrapped description line belongs to the flag above it: dropped with it. */
function isContinuationOfDropped(lines: string[], i: number): boolean {
  const wrapped = (line: string | undefined): boolean => /^\s{20,}\S/.test(line ?? "");
  if (!wrapped(lines[i])) return false;
  let j = i - 1;
  while (j >= 0 && wrapped(lines[j])) j--;
  return /^\s*--(relay|pair|tailscale|tunnel) /.test(lines[j] ?? "");
}

// Stand-ins for `tailscale` and `cloudflared`: shell scripts in a temp folder, first on PATH,
// that print what the real programs print and write every call to a log the test reads.

import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export const TAILNET_NAME = "laptop.tail1234.ts.net";
export const QUICK_TUNNEL = "https://seasonal-deck-organisms-sf.trycloudflare.com";

const TAILSCALE = `#!/bin/sh
echo "tailscale $*" >> "$STANDIN_LOG"
case "$1" in
  status)
    cat <<'JSON'
{"Version":"1.78.1","BackendState":"Running","Self":{"ID":"n1","HostName":"laptop","DNSName":"${TAILNET_NAME}.","TailscaleIPs":["100.101.102.103"],"Online":true},"MagicDNSSuffix":"tail1234.ts.net","CurrentTailnet":{"Name":"dev@example.com","MagicDNSSuffix":"tail1234.ts.net","MagicDNSEnabled":true}}
JSON
    ;;
  serve)
    case "$*" in *off*) exit 0 ;; esac
    target=""; for a in "$@"; do target="$a"; done
    printf 'Available within your tailnet:\\n\\nhttps://${TAILNET_NAME}/\\n|-- proxy %s\\n\\nServe started and running in the background.\\nTo disable the proxy, run: tailscale serve --https=443 off\\n' "$target"
    ;;
esac
`;

const CLOUDFLARED = `#!/bin/sh
echo "cloudflared $*" >> "$STANDIN_LOG"
trap 'echo "cloudflared stopped" >> "$STANDIN_LOG"; exit 0' TERM INT
t=2026-12-06T22:00:00Z
echo "$t INF Thank you for trying Cloudflare Tunnel. Doing so, without a Cloudflare account, is a quick way to experiment and try it out. However, be aware that these account-less Tunnels have no uptime guarantee. If you intend to use Tunnels in production you should use a pre-created named tunnel by following: https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/do-more-with-tunnels/trycloudflare" >&2
echo "$t INF Requesting new quick Tunnel on trycloudflare.com..." >&2
sleep 0.3
echo "$t INF +--------------------------------------------------------------------------------------------+" >&2
echo "$t INF |  Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):  |" >&2
echo "$t INF |  ${QUICK_TUNNEL}                                      |" >&2
echo "$t INF +--------------------------------------------------------------------------------------------+" >&2
echo "$t INF Registered tunnel connection connIndex=0 location=ams01 protocol=quic" >&2
while :; do sleep 0.1; done
`;

export interface StandIns {
  /** PATH with the stand-ins first (empty list: neither program, only node's folder and the system's). */
  path: string;
  /** PATH and where the stand-ins log, for the child's environment. */
  env: { PATH: string; STANDIN_LOG: string };
  log: string;
  calls(): string[];
}

/** A folder with the named stand-ins; PATH holds it, node's folder and /usr/bin:/bin (no real tunnels here). */
export function standIns(which: ("tailscale" | "cloudflared")[]): StandIns {
  const dir = mkdtempSync(join(tmpdir(), "tether-standins-"));
  const log = join(dir, "calls.log");
  writeFileSync(log, "");
  for (const name of which) {
    const file = join(dir, name);
    writeFileSync(file, name === "tailscale" ? TAILSCALE : CLOUDFLARED);
    chmodSync(file, 0o755);
  }
  const path = [dir, dirname(process.execPath), "/usr/bin", "/bin"].join(":");
  return {
    path,
    env: { PATH: path, STANDIN_LOG: log },
    log,
    calls: () => readFileSync(log, "utf8").split("\n").filter(Boolean),
  };
}

export interface Watched {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `re` in stdout and stderr, or rejects after `ms`. */
  waitFor(re: RegExp, ms?: number): Promise<RegExpExecArray>;
  /** SIGINT (Ctrl-C), then the exit code. */
  interrupt(): Promise<number | null>;
}

export function watch(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): Watched {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    text += chunk.toString();
    for (const w of waiters) w();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  return {
    child,
    output: () => text,
    waitFor(re, ms = 20_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = re.exec(text);
          if (!m) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(m);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${re} within ${ms} ms in:\n${text}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    interrupt() {
      if (child.exitCode === null) child.kill("SIGINT");
      return exited;
    },
  };
}

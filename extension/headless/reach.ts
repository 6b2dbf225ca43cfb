// Whether a pairing link can be opened from a phone, and what this computer offers when it
// cannot. A phone's browser only gives the app its crypto in a secure context: HTTPS, or
// localhost on the phone itself. So a plain-HTTP link to a loopback or private address works
// in this computer's browser and nowhere else that matters.

import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { isIP } from "node:net";
import { delimiter, join } from "node:path";

/** Why a phone cannot use `url`, and whether only this computer can open it at all; undefined when a phone can. */
export function phoneBlocker(url: string): { reason: string; onlyHere: boolean } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "http:") return undefined;
  const host = parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (isLoopback(host)) return { reason: `${parsed.host} is this computer's own address`, onlyHere: true };
  if (isPrivate(host)) {
    return { reason: `${parsed.host} is a private address over plain HTTP, and a phone's browser needs HTTPS`, onlyHere: true };
  }
  return { reason: "it is plain HTTP, and a phone's browser needs HTTPS", onlyHere: false };
}

/** Why `url` is no use to a phone, or undefined when a phone can open it. */
export function localOnlyReason(url: string): string | undefined {
  return phoneBlocker(url)?.reason;
}

/** The URL points at this computer itself (what a tunnel can reach). */
export function isLoopbackUrl(url: string): boolean {
  return URL.canParse(url) && isLoopback(new URL(url).hostname.replace(/^\[|\]$/g, "").toLowerCase());
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127\./.test(host);
}

function isPrivate(host: string): boolean {
  if (host.endsWith(".local")) return true;
  if (isIP(host) === 4) {
    const [a = 0, b = 0] = host.split(".").map(Number);
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  // fc00::/7 (unique local) and fe80::/10 (link-local).
  return isIP(host) === 6 && /^(f[cd][0-9a-f]{0,2}|fe[89ab][0-9a-f]?):/.test(host);
}

/** The full path of `name` on PATH, if it is there and executable. */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}

/** This machine's Tailscale HTTPS name (no trailing dot) when Tailscale is installed and logged in. */
export function tailscaleName(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const bin = onPath("tailscale", env);
  if (!bin) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    execFile(bin, ["status", "--json"], { env, timeout: 5_000 }, (err, stdout) => {
      if (err) return resolve(undefined);
      try {
        const status = JSON.parse(stdout) as { BackendState?: string; Self?: { DNSName?: string } };
        const name = status.Self?.DNSName?.replace(/\.$/, "");
        resolve(status.BackendState === "Running" && name ? name : undefined);
      } catch {
        resolve(undefined);
      }
    });
  });
}

export interface WaysOut {
  /** Tailscale's name for this machine, when `--tailscale` would work. */
  tailscale?: string;
  /** cloudflared's path, when `--tunnel` would work. */
  cloudflared?: string;
}

export async function waysOut(env: NodeJS.ProcessEnv = process.env): Promise<WaysOut> {
  const tailscale = await tailscaleName(env);
  const cloudflared = onPath("cloudflared", env);
  return { ...(tailscale ? { tailscale } : {}), ...(cloudflared ? { cloudflared } : {}) };
}

/** The README's options, one line each, for a machine with neither Tailscale nor cloudflared. */
export function readmeOptions(command: string, relayCommand = command): string[] {
  return [
    `install Tailscale on this computer and the phone, then: ${command} --tailscale`,
    `install cloudflared (a free quick tunnel, no account), then: ${command} --tunnel`,
    `put your own HTTPS reverse proxy in front of the relay, then: ${relayCommand} --public-url https://…`,
    "the same Wi-Fi is not enough: the phone's browser still needs HTTPS",
  ];
}

/**
 * The lines under the QR code when its link only opens here. `command` is how the person
 * runs Tether again with a flag ("npm start --" or "tether-host"); `relayCommand`, the relay.
 */
export function localOnlyNote(url: string, ways: WaysOut, command: string, relayCommand = command): string[] | undefined {
  const blocked = phoneBlocker(url);
  if (!blocked) return undefined;
  const first = blocked.onlyHere ? "This link opens only on this computer" : "A phone cannot pair with this link";
  const lines = [`${first}: ${blocked.reason}.`, "To pair a phone, run again with:"];
  if (ways.tailscale) lines.push(`  ${command} --tailscale   serves it at https://${ways.tailscale} to your tailnet`);
  if (ways.cloudflared) lines.push(`  ${command} --tunnel      a public https://….trycloudflare.com address`);
  if (ways.tailscale || ways.cloudflared) {
    lines.push("The relay is blind: a public address exposes only ciphertext, never your code or keys.");
  } else {
    lines[1] = 'To pair a phone, use one of these (README, "Reaching your phone"):';
    lines.push(...readmeOptions(command, relayCommand).map((l) => `  - ${l}`));
  }
  return lines;
}

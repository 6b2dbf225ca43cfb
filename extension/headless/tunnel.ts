// `--tailscale` and `--tunnel`: an HTTPS address for a relay on this computer, made by a program
// the person already has, and taken down again when Tether exits.

import { execFile, execFileSync, spawn } from "node:child_process";
import { onPath, tailscaleName } from "./reach";

export interface Tunnel {
  /** The HTTPS origin phones use, e.g. https://laptop.tail1234.ts.net. */
  url: string;
  /** Where it comes from, for the terminal: "Tailscale Serve", "a cloudflared quick tunnel". */
  via: string;
  /** Anyone on the internet can reach it (not just the person's tailnet). */
  public: boolean;
  stop(): Promise<void>;
}

/** What the terminal says once a tunnel is up. */
export function tunnelLines(tunnel: Tunnel): string[] {
  return [
    `Phones reach the relay at ${tunnel.url}, through ${tunnel.via}.`,
    tunnel.public
      ? "Anyone can reach that address, and that is safe: the relay is blind, so all it exposes is ciphertext."
      : "Only devices on your tailnet can reach that address.",
  ];
}

const START_TIMEOUT_MS = 30_000;

export async function tailscaleServe(port: number, env: NodeJS.ProcessEnv = process.env): Promise<Tunnel> {
  const bin = onPath("tailscale", env);
  const name = await tailscaleName(env);
  if (!bin || !name)
    throw new Error("--tailscale needs Tailscale installed and logged in (tailscale status shows this computer)");
  const target = `http://127.0.0.1:${port}`;
  // Since Tailscale 1.52: --bg keeps serving after the command returns, until `--https=443 off`.
  await new Promise<void>((resolve, reject) => {
    execFile(bin, ["serve", "--bg", "--https=443", target], { env, timeout: START_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (!err) return resolve();
      // It prints a link to turn HTTPS on for the tailnet when that is still off.
      const said = `${stdout}${stderr}`.trim();
      reject(new Error(`tailscale serve failed${said ? `: ${said}` : ` (${err.message})`}`));
    });
  });
  const off = ["serve", "--https=443", "off"];
  let stopped = false;
  const stopSync = (): void => {
    if (stopped) return;
    stopped = true;
    try {
      execFileSync(bin, off, { env, timeout: 5_000, stdio: "ignore" });
    } catch {
      // Best effort: the person can run `tailscale serve --https=443 off`.
    }
  };
  process.once("exit", stopSync);
  return {
    url: `https://${name}`,
    via: "Tailscale Serve",
    public: false,
    stop: () => {
      process.off("exit", stopSync);
      if (stopped) return Promise.resolve();
      stopped = true;
      return new Promise((resolve) => execFile(bin, off, { env, timeout: 5_000 }, () => resolve()));
    },
  };
}

const QUICK_TUNNEL_URL = /https:\/\/[a-z0-9-]+\.trycloudflare\.com/;

export function cloudflaredTunnel(port: number, env: NodeJS.ProcessEnv = process.env): Promise<Tunnel> {
  const bin = onPath("cloudflared", env);
  if (!bin) return Promise.reject(new Error("--tunnel needs cloudflared on PATH"));
  const child = spawn(bin, ["tunnel", "--no-autoupdate", "--url", `http://127.0.0.1:${port}`], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const killSync = (): void => void child.kill("SIGTERM");
  process.once("exit", killSync);
  let output = "";
  return new Promise<Tunnel>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      process.off("exit", killSync);
      child.kill("SIGTERM");
      const tail = output.trim().split("\n").slice(-5).join("\n");
      reject(new Error(`cloudflared ${why}${tail ? `:\n${tail}` : ""}`));
    };
    const timer = setTimeout(() => fail(`gave no address within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    // It prints the address on stderr, inside a box of log lines.
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      const found = QUICK_TUNNEL_URL.exec(output);
      if (!found) return;
      clearTimeout(timer);
      child.stdout.off("data", read);
      child.stderr.off("data", read);
      // Keep draining so a full pipe never blocks it.
      child.stdout.resume();
      child.stderr.resume();
      resolve({
        url: found[0],
        via: "a cloudflared quick tunnel",
        public: true,
        stop: () => {
          process.off("exit", killSync);
          if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
          return new Promise((done) => {
            child.once("exit", () => done());
            child.kill("SIGTERM");
          });
        },
      });
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.once("error", (err) => fail(`could not start (${err.message})`));
    child.once("exit", (code) => fail(`exited (code ${code})`));
  });
}

export function startTunnel(kind: "tailscale" | "tunnel", port: number, env: NodeJS.ProcessEnv = process.env): Promise<Tunnel> {
  return kind === "tailscale" ? tailscaleServe(port, env) : cloudflaredTunnel(port, env);
}

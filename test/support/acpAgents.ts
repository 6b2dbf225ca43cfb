// Real, published ACP agents for end-to-end tests that run with no network but the npm registry:
// each is installed from the registry into a cache folder on first use (100–460 MB each, with
// native binaries, so not a dependency of the package), and launched against a scripted model
// server with a home folder of its own, so nothing of the real user's login or settings leaks in.

import { spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

export type AcpAgentName = "claude" | "codex" | "gemini";

interface AgentPackage {
  package: string;
  version: string;
  /** The script that speaks ACP on stdio, inside the package, and the arguments that make it do so. */
  entry: string;
  args: string[];
}

/** Pinned: a test of what an agent sends is a test of one version of it. */
export const ACP_AGENT_PACKAGES: Record<AcpAgentName, AgentPackage> = {
  claude: { package: "@agentclientprotocol/claude-agent-acp", version: "0.101.0", entry: "dist/index.js", args: [] },
  codex: { package: "@agentclientprotocol/codex-acp", version: "2.6.0", entry: "dist/index.js", args: [] },
  gemini: { package: "@google/gemini-cli", version: "0.61.0", entry: "bundle/gemini.js", args: ["--acp"] },
};

const REPO = join(__dirname, "..", "..");
const CACHE = process.env.TETHER_ACP_AGENTS_CACHE ?? join(REPO, ".cache", "acp-agents");
/** An install takes a minute or two here; one waiting on another's lock gives up after this. */
const LOCK_WAIT_MS = 10 * 60_000;

type Say = (line: string) => void;

/** The registry could not be reached for a first install: tests skip, naming this, rather than fail. */
export class RegistryUnreachable extends Error {}

/**
 * The installed package folder of `name` at its pinned version: installs it on first use.
 * `<cache>/<name>` only ever appears whole (staged, then renamed), so its presence with the
 * pinned version is the mark of a finished install.
 */
export async function ensureAcpAgent(name: AcpAgentName, say: Say = (line) => console.log(`      ${line}`)): Promise<string> {
  const spec = ACP_AGENT_PACKAGES[name];
  const home = join(CACHE, name);
  const pkg = join(home, "node_modules", ...spec.package.split("/"));
  if (installedVersion(pkg) === spec.version) return pkg;

  mkdirSync(CACHE, { recursive: true });
  const release = await lock(join(CACHE, `${name}.lock`), say);
  try {
    if (installedVersion(pkg) === spec.version) return pkg; // another run installed it while this one waited
    const staging = `${home}.partial-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    // A package.json of its own so npm installs here, not into the checkout above.
    const manifest = { name: `tether-acp-${name}`, private: true, dependencies: { [spec.package]: spec.version } };
    writeFileSync(join(staging, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
    say(`installing ${spec.package}@${spec.version} into ${home} (once; a few hundred MB, a minute or two)`);
    const started = Date.now();
    const { code, output } = await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=http"], {
      cwd: staging,
      env: installEnv(),
    });
    const logFile = join(CACHE, `${name}-install.log`);
    writeFileSync(logFile, output);
    const installed = join(staging, "node_modules", ...spec.package.split("/"));
    if (code !== 0 || !existsSync(join(installed, spec.entry))) {
      rmSync(staging, { recursive: true, force: true });
      const message = `installing ${spec.package}@${spec.version} failed (npm exit ${code}); full log: ${logFile}\n${tail(output, 30)}`;
      throw UNREACHABLE.test(output) ? new RegistryUnreachable(message) : new Error(message);
    }
    rmSync(home, { recursive: true, force: true });
    renameSync(staging, home);
    say(`${spec.package} installed in ${Math.round((Date.now() - started) / 1000)} s`);
    return pkg;
  } finally {
    release();
  }
}

const UNREACHABLE = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network request to)\b/;

function installedVersion(pkg: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * Holds `file` (created exclusively, with this process's id in it) until the returned function is
 * called. A lock whose process is gone (killed mid-install) is taken over, with its staging folder.
 */
async function lock(file: string, say: Say): Promise<() => void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let told = false;
  for (;;) {
    try {
      closeSync(openSync(file, "wx"));
      writeFileSync(file, String(process.pid));
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = Number(readFileSync(file, "utf8").trim());
    if (holder && !alive(holder)) {
      rmSync(file, { force: true });
      removeAbandonedInstalls();
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${file} is still held by process ${holder} after ${LOCK_WAIT_MS / 1000} s`);
    if (!told) say(`waiting for process ${holder || "?"}, which is installing the same agent (${file})`);
    told = true;
    await delay(500);
  }
}

function removeAbandonedInstalls(): void {
  for (const name of readdirSync(CACHE)) {
    const pid = /\.partial-(\d+)$/.exec(name)?.[1];
    if (pid && !alive(Number(pid))) rmSync(join(CACHE, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function installEnv(): NodeJS.ProcessEnv {
  // Drop what an outer `npm test` exported about the checkout (its package, its prefix).
  const outer = /^(npm_lifecycle_|npm_package_|npm_config_(local_|global_)?prefix$|INIT_CWD$)/i;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !outer.test(k)));
  return { ...env, npm_config_yes: "true" };
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

function tail(text: string, lines: number): string {
  return text.split("\n").slice(-lines).join("\n");
}

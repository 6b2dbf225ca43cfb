// A real VS Code for the extension's integration tests, on a machine that cannot download one:
// code-server's VS Code server (installed from the npm registry into .cache/, not a dependency)
// runs the real Node extension host, and headless Chromium opens its workbench with the same
// `extensionDevelopmentPath` / `extensionTestsPath` that @vscode/test-electron would pass.

import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, delimiter, dirname, join } from "node:path";
import type { Browser, BrowserContextOptions } from "playwright-core";
import { launchChromium } from "./browser";
import { start, type Proc } from "./processes";
import { DESK_ENV, startDesk, type DeskRun } from "./vscodeDesk";
import { until } from "./wait";

/** 4.100.3 ships VS Code 1.100.3 (package.json `engines.vscode`) and is the last to run on Node 20. */
export const CODE_SERVER_VERSION = "4.100.3";
// Pinned by code-server 4.100.3's npm-shrinkwrap: the cache folder and asset @vscode/ripgrep's
// postinstall looks for before it tries GitHub, which this machine cannot reach.
const RIPGREP_PACKAGE_VERSION = "1.15.11";
const RIPGREP_RELEASE = "v13.0.0-10";

const REPO = join(__dirname, "..", "..");
const CACHE = process.env.TETHER_CODE_SERVER_CACHE ?? join(REPO, ".cache", "code-server");
const DEBIAN_PACKAGES = "apt-get install -y --no-install-recommends libkrb5-dev ripgrep python3 make g++";
// Written last: a folder without it is an interrupted install, removed and redone.
const COMPLETE = ".tether-complete";

type Say = (line: string) => void;

/** The installed code-server package folder: installs it on first use (about a minute). */
export async function ensureCodeServer(say: Say = (line) => console.log(`      ${line}`)): Promise<string> {
  const home = join(CACHE, CODE_SERVER_VERSION);
  const pkg = join(home, "node_modules", "code-server");
  if (existsSync(join(home, COMPLETE))) return pkg;

  checkPrerequisites();
  removeAbandonedInstalls();
  // Per process, so two test runs installing at once do not pull the folder from under each other.
  const staging = `${home}.partial-${process.pid}`;
  mkdirSync(staging, { recursive: true });
  // A package.json of its own so npm installs here, not in the checkout above; and cwd rather
  // than --prefix, which npm would export to code-server's postinstall, whose nested `npm
  // install` of VS Code's dependencies (native modules, ripgrep) would then land here too.
  // argon2 serves code-server's password login, which the bare VS Code server never loads.
  const manifest = { name: "tether-code-server", private: true, allowScripts: { "code-server": true, argon2: false } };
  writeFileSync(join(staging, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
  const tmp = join(staging, ".tmp");
  seedRipgrep(tmp);

  say(`installing code-server@${CODE_SERVER_VERSION} into ${home} (once, about a minute)`);
  const logFile = join(CACHE, "install.log");
  const started = Date.now();
  const { code, output } = await run(
    "npm",
    ["install", `code-server@${CODE_SERVER_VERSION}`, "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=http"],
    { cwd: staging, env: installEnv(tmp) },
  );
  writeFileSync(logFile, output);
  const vscode = join(staging, "node_modules", "code-server", "lib", "vscode");
  const missing = [join(vscode, "out", "server-main.js"), join(vscode, "node_modules", "@vscode", "ripgrep", "bin", "rg")].filter(
    (f) => !existsSync(f),
  );
  if (code !== 0 || missing.length) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(
      `installing code-server@${CODE_SERVER_VERSION} failed (npm exit ${code}${missing.length ? `; missing ${missing.join(", ")}` : ""}).\n` +
        `Its native modules need build tools and Kerberos headers: ${DEBIAN_PACKAGES}\nFull log: ${logFile}\n` +
        tail(output, 40),
    );
  }
  rmSync(tmp, { recursive: true, force: true });
  writeFileSync(join(staging, COMPLETE), `code-server ${CODE_SERVER_VERSION}, installed in ${Date.now() - started} ms\n`);
  if (existsSync(join(home, COMPLETE))) {
    rmSync(staging, { recursive: true, force: true }); // another run finished first
  } else {
    rmSync(home, { recursive: true, force: true });
    renameSync(staging, home);
  }
  say(`code-server installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return pkg;
}

/** Staging folders of installs whose process is gone (killed, timed out): 300 MB each. */
function removeAbandonedInstalls(): void {
  if (!existsSync(CACHE)) return;
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

function checkPrerequisites(): void {
  const major = Number(process.versions.node.split(".")[0]);
  if (major !== 20) throw new Error(`code-server@${CODE_SERVER_VERSION} needs Node 20; this is Node ${process.versions.node}`);
  const missing = ["rg", "python3", "make", "g++", "krb5-config"].filter((tool) => !onPath(tool));
  if (missing.length) {
    throw new Error(
      `installing code-server for the VS Code tests needs ${missing.join(", ")} ` +
        `(krb5-config comes with libkrb5-dev, rg with ripgrep): ${DEBIAN_PACKAGES}`,
    );
  }
}

function onPath(tool: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => dir && existsSync(join(dir, tool)));
}

/** Puts Debian's `rg` where @vscode/ripgrep's postinstall looks for its cached download. */
function seedRipgrep(tmp: string): void {
  const target = process.arch === "arm64" ? "aarch64-unknown-linux-musl" : "x86_64-unknown-linux-musl";
  const dir = join(tmp, `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  mkdirSync(dir, { recursive: true });
  const folder = (process.env.PATH ?? "").split(delimiter).find((d) => d && existsSync(join(d, "rg")));
  // tar -C into rg's folder, so the archive holds just `rg` at its root, as the release asset does.
  const asset = join(dir, `ripgrep-${RIPGREP_RELEASE}-${target}.tar.gz`);
  if (spawnSync("tar", ["czf", asset, "-C", folder!, "rg"], { stdio: "ignore" }).status !== 0)
    throw new Error(`could not pack ${folder}/rg for @vscode/ripgrep`);
}

function installEnv(tmp: string): NodeJS.ProcessEnv {
  // Drop what an outer `npm test` exported about the checkout (its package, its prefix).
  const outer = /^(npm_lifecycle_|npm_package_|npm_config_(local_|global_)?prefix$|INIT_CWD$)/i;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !outer.test(k)));
  const nodeHeaders = join(process.execPath, "..", "..");
  return {
    ...env,
    TMPDIR: tmp,
    // code-server's postinstall runs `npm install` again; npx inside it must not stop to ask.
    npm_config_yes: "true",
    npm_config_unsafe_perm: "true",
    // node-gyp builds against the installed Node's headers instead of downloading them.
    ...(existsSync(join(nodeHeaders, "include", "node", "node.h")) && !process.env.npm_config_nodedir
      ? { npm_config_nodedir: nodeHeaders }
      : {}),
  };
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

export interface ExtensionTestOptions {
  /** The folder the workbench opens (its `.vscode/settings.json` cannot set Tether's settings: see `setMachineSettings`). */
  workspace: string;
  /** The bundled module exporting `run()`, as for @vscode/test-electron. */
  extensionTestsPath: string;
  /** Defaults to this checkout (its package.json is the extension manifest). */
  extensionDevelopmentPath?: string;
  /** Where to save a PNG of the workbench once the tests have run, or when a suite asks the desk for it. */
  screenshot?: string;
  timeoutMs?: number;
  /**
   * Runs with the same profile keep the browser's storage from one to the next (local storage,
   * where the web editor keeps SecretStorage, and IndexedDB), as reloading a window does: the
   * extension's secrets (Tether's keys and pairings) outlast the window.
   * Without one, a run starts with an empty browser. Global storage is the server's: shared by
   * every run of one server either way.
   */
  profile?: string;
  /** What the in-editor tests of this run get from the desk's `context` action (say, which phase; see vscodeDesk.ts). */
  context?: Record<string, unknown>;
}

export interface ExtensionTestRun {
  /** 0 when `run()` resolved. */
  exitCode: number;
  /** The extension host's console as the workbench forwards it: the in-editor mocha report. */
  log: string;
  /** The server's log files for this run: the extension host's and the extension's output channels. */
  hostLogs: string;
}

export interface VscodeServer {
  readonly url: string;
  /**
   * Opens a fresh workbench, and so a fresh extension host, that runs the tests; closes it and
   * returns once that extension host has exited.
   */
  runExtensionTests(options: ExtensionTestOptions): Promise<ExtensionTestRun>;
  /**
   * Replaces the settings the person set for this machine, read by every window opened after.
   * A web window on the server is a remote window, and VS Code reads machine-scoped settings
   * there (all of Tether's) from the remote machine's settings only, which the Settings editor
   * shows as "Remote": `<user-data-dir>/Machine/settings.json`.
   */
  setMachineSettings(settings: Record<string, unknown>): void;
  /** The server process's own output, for a failure report. */
  output(): string;
  stop(): Promise<void>;
}

const USER_SETTINGS = {
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "telemetry.telemetryLevel": "off",
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
};

/**
 * Starts VS Code's server on a free port. `env` reaches every extension host (each inherits
 * the server's environment); Tether's settings go in with `setMachineSettings`.
 */
export async function startVscodeServer(options: { env?: NodeJS.ProcessEnv } = {}): Promise<VscodeServer> {
  const pkg = await ensureCodeServer();
  let current: DeskRun | undefined;
  const desk = await startDesk(() => current);
  const data = mkdtempSync(join(tmpdir(), "tether-vscode-"));
  // User settings for a quiet, offline editor: no gallery queries, no welcome page.
  mkdirSync(join(data, "User"), { recursive: true });
  writeFileSync(join(data, "User", "settings.json"), JSON.stringify(USER_SETTINGS, null, 2));
  const server: Proc = start(
    process.execPath,
    [
      join(pkg, "lib", "vscode", "out", "server-main.js"),
      ...["--host", "127.0.0.1", "--port", "0"],
      "--without-connection-token",
      "--accept-server-license-terms",
      "--enable-smoke-test-driver",
      "--disable-telemetry",
      "--disable-workspace-trust",
      ...["--user-data-dir", data, "--server-data-dir", join(data, "server"), "--extensions-dir", join(data, "extensions")],
    ],
    // An empty gallery (code-server reads EXTENSIONS_GALLERY): the workbench asks no marketplace.
    { env: { EXTENSIONS_GALLERY: "{}", [DESK_ENV]: desk.url, ...options.env } },
  );
  let port: string;
  try {
    port = (await server.waitFor(/Extension host agent listening on (\d+)/, 60_000))[1]!;
  } catch (err) {
    await server.stop();
    await desk.close();
    rmSync(data, { recursive: true, force: true });
    throw err;
  }
  const authority = `127.0.0.1:${port}`;
  const url = `http://${authority}`;
  let browser: Browser | undefined;
  const keyHalf = webKeyHalf(data);
  const profiles = new Map<string, BrowserContextOptions["storageState"]>();

  return {
    url,
    output: () => server.output(),
    setMachineSettings(settings) {
      mkdirSync(join(data, "Machine"), { recursive: true });
      writeFileSync(join(data, "Machine", "settings.json"), JSON.stringify(settings, null, 2));
    },
    async runExtensionTests(run) {
      browser ??= await launchChromium();
      const remote = (path: string): string => `vscode-remote://${authority}${path}`;
      const payload = [
        ["extensionDevelopmentPath", remote(run.extensionDevelopmentPath ?? REPO)],
        ["extensionTestsPath", remote(run.extensionTestsPath)],
      ];
      const logsBefore = new Set(logFiles(data));
      const context = await browser.newContext({
        viewport: { width: 1280, height: 800 },
        ...(run.profile && profiles.has(run.profile) ? { storageState: profiles.get(run.profile) } : {}),
      });
      // The web editor keeps SecretStorage in local storage, sealed with a key half it fetches
      // from `/mint-key`: code-server's own server answers that route, the bare VS Code server
      // does not, and without it secrets live in memory only and a reload forgets them. Answered
      // here as code-server does, from a file in the server's data folder.
      await context.route(/\/mint-key$/, (route) => route.fulfill({ contentType: "application/octet-stream", body: keyHalf }));
      const page = await context.newPage();
      let screenshotTaken = false;
      const screenshot = async (): Promise<void> => {
        if (!run.screenshot) return;
        await page.screenshot({ path: run.screenshot });
        screenshotTaken = true;
      };
      current = { page, context: run.context ?? {}, screenshot };
      const lines: string[] = [];
      let timer: NodeJS.Timeout | undefined;
      try {
        // The workbench calls these on `window` when it runs extension tests: the exit code once
        // `run()` settles, and every line it logs, the extension host's console among them.
        let exit: (code: number) => void = () => {};
        const exited = new Promise<number>((resolve) => (exit = resolve));
        await page.exposeFunction("codeAutomationExit", (code: number) => exit(code));
        await page.exposeFunction("codeAutomationLog", (_level: string, message: unknown) => {
          lines.push(Array.isArray(message) ? message.join(" ") : String(message));
        });
        await page.goto(
          `${url}/?folder=${encodeURIComponent(run.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`,
        );
        const timeoutMs = run.timeoutMs ?? 120_000;
        const timedOut = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`the extension tests did not finish in ${timeoutMs} ms`)), timeoutMs);
        });
        const hostLogs = (): string => readLogs(logFiles(data).filter((f) => !logsBefore.has(f)));
        const exitCode = await Promise.race([exited, timedOut]).catch((err: Error) => {
          err.message += `\n${lines.join("\n")}\n${hostLogs()}`;
          throw err;
        });
        if (!screenshotTaken) await screenshot();
        if (run.profile) profiles.set(run.profile, await context.storageState({ indexedDB: true }));
        return { exitCode, log: lines.join("\n"), hostLogs: hostLogs() };
      } finally {
        current = undefined;
        clearTimeout(timer);
        // Closing the page closes the window: its extension host deactivates the extension and
        // exits. The next run waits for that, so two windows never share the storage at once.
        await context.close();
        if (!(await extensionHostsExited(server))) console.warn("      the extension host went on after its window closed");
      }
    },
    async stop() {
      await browser?.close();
      browser = undefined;
      await server.stop();
      await desk.close();
      rmSync(data, { recursive: true, force: true });
    },
  };
}

const EXTENSION_HOST_LAUNCHED = /Launched Extension Host Process/g;
const EXTENSION_HOST_EXITED = /Extension Host Process exited/g;

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

/** Waits (up to 15 s) until every extension host the server launched has exited; false if one did not. */
function extensionHostsExited(server: Proc): Promise<boolean> {
  const exited = (): boolean => {
    const output = server.output();
    return count(output, EXTENSION_HOST_EXITED) >= count(output, EXTENSION_HOST_LAUNCHED);
  };
  return until("every extension host to exit", exited, 15_000).then(
    () => true,
    () => false,
  );
}

/** The server's half of the key sealing the web editor's secrets, made once per data folder. */
function webKeyHalf(data: string): Buffer {
  const file = join(data, "serve-web-key-half");
  if (!existsSync(file)) writeFileSync(file, randomBytes(32), { mode: 0o600 });
  return readFileSync(file);
}

/**
 * The extension hosts' logs under the server's data folder, `logs/<time>/exthostN/`: the host's
 * own (activations, errors) and the output channels of extensions other than the built-in ones.
 */
function logFiles(data: string): string[] {
  const logs = join(data, "logs");
  if (!existsSync(logs)) return [];
  return readdirSync(logs, { recursive: true, encoding: "utf8" })
    .filter((f) => /(^|[/\\])exthost\d+[/\\]/.test(f) && f.endsWith(".log"))
    .filter((f) => !/Telemetry|[/\\]vscode\.[^/\\]+[/\\]/.test(f))
    .map((f) => join(logs, f))
    .sort();
}

function readLogs(files: string[]): string {
  return files.map((f) => `--- ${basename(dirname(f))}/${basename(f)}\n${readFileSync(f, "utf8").trimEnd()}`).join("\n");
}

/** For a failure message: the last lines of a long text. */
export function tail(text: string, lines = 60): string {
  return text.split("\n").slice(-lines).join("\n");
}

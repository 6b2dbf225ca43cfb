// Runs command lines under the real dash and bash with nothing real at stake, and reports what
// each shell actually did: every program it executed (argv, environment, folder, code fed on
// stdin) and every file it wrote. The shells run in a chroot built in a throwaway folder, where
// every program name is a recording stand-in (oracle/recorder.c) and only sh, dash and bash are
// real (recorded, then run); each line gets a fresh overlay of that chroot, its own PID namespace,
// no network, process and memory limits and a time limit (oracle/driver.c). Nothing a line does
// reaches the machine, `rm -rf /` included.

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseLog, type Execution } from "./oracleLog";

export type { Execution } from "./oracleLog";
export type OracleShell = "bash" | "dash";

/** What one shell did with one line. */
export interface ShellRun {
  shell: OracleShell;
  line: string;
  /** The shell's exit status; 137 when the time limit killed it. */
  status: number;
  executed: Execution[];
  /** Absolute paths inside the chroot the line created, changed or removed. */
  written: string[];
}

/** Inside the chroot, laid out like the machine the gate is told about. */
export const CHROOT_HOME = "/home/dev";
export const CHROOT_WORKSPACE = "/home/dev/project";
/** The chroot's user: owns its files, runs its lines (LINE_USER in oracle/driver.c). */
const CHROOT_USER = 54321;
const HERE = join(__dirname, "oracle");
const STUB_DIRS = ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"];
/** Every program name the corpus runs, and the usual suspects around them. */
const PROGRAMS = new Set(
  `rm git npm npx node nodejs python python3 perl ruby php lua find sed awk gawk xargs curl wget
  cat ls echo printf touch tee cp mv ln install chmod chown chgrp mkdir rmdir env sh bash dash zsh
  ksh sudo su doas pkexec dd mkfs mkfs.ext4 shutdown reboot halt poweroff tar zip unzip docker base64
  less more man ssh scp rsync grep rg head tail sort uniq wc cut tr date id whoami true false test [
  sleep yes make cargo go pip pip3 pnpm yarn kill pkill nohup timeout nice time stdbuf setsid chroot
  diff patch vi vim nano open xdg-open nc ncat socat telnet ftp printenv pwd uname hostname basename
  dirname readlink realpath mktemp gzip gunzip bzip2 xz jq tsc eslint prettier mocha deno bun crontab
  at systemctl service mount umount killall iptables passwd useradd chpasswd`.split(/\s+/),
);
/** Files the lines aim at, so reads and overwrites meet something real. */
const FILES: Record<string, string> = {
  "home/dev/.bashrc": "# shell setup\n",
  "home/dev/.ssh/id_ed25519": "not a key\n",
  "home/dev/.gitconfig": "[user]\n\tname = dev\n",
  "home/dev/project/README.md": "# project\n",
  "home/dev/project/package.json": '{ "name": "project", "scripts": { "test": "mocha" } }\n',
  "home/dev/project/src/a.txt": "a\n",
  "home/dev/project/.git/config": "[core]\n\tbare = false\n",
  "home/dev/project/.git/HEAD": "ref: refs/heads/main\n",
  "home/dev/project/.vscode/settings.json": "{}\n",
  "etc/passwd": `root:x:0:0:root:/root:/bin/sh\ndev:x:${CHROOT_USER}:${CHROOT_USER}:dev:/home/dev:/bin/bash\n`,
  "etc/group": `root:x:0:\ndev:x:${CHROOT_USER}:\n`,
};

/**
 * How to enter the namespaces the oracle runs in: as root directly, otherwise as root of a user
 * namespace (`unshare -r`); or why neither works here.
 */
function namespaces(): { args: string[] } | { unavailable: string } {
  for (const tool of ["unshare", "cc", "ldd", "dash", "bash"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return { unavailable: `the shell oracle needs ${tool}` };
  }
  const root = execFileSync("id", ["-u"], { encoding: "utf8" }).trim() === "0";
  const args = [...(root ? [] : ["--map-root-user"]), "--mount", "--net", "--uts", "--ipc", "--fork", "--propagation", "private"];
  if (spawnSync("unshare", [...args, "--pid", "true"]).status === 0) return { args };
  return {
    unavailable: root
      ? "unshare cannot make mount, network and PID namespaces here"
      : "the shell oracle needs root, or user namespaces (unshare -r), to build its chroot and overlays",
  };
}

/** Why the oracle cannot run here, or undefined when it can. */
export function oracleUnavailable(): string | undefined {
  const found = namespaces();
  return "unavailable" in found ? found.unavailable : undefined;
}

export class ShellOracle {
  private constructor(
    private readonly dir: string,
    private readonly lower: string,
  ) {}

  /** Builds the chroot: the real shells and their libraries, the stand-ins, a home and a workspace. */
  static create(): ShellOracle {
    const dir = mkdtempSync(join(tmpdir(), "tether-oracle-"));
    const lower = join(dir, "root");
    const tools = join(dir, "tools");
    mkdirSync(join(lower, ".oracle"), { recursive: true });
    mkdirSync(tools);
    for (const name of ["recorder", "driver"]) execFileSync("cc", ["-O2", "-o", join(tools, name), join(HERE, `${name}.c`)]);
    copyFileSync(join(tools, "recorder"), join(lower, ".oracle", "recorder"));
    for (const shell of ["bash", "dash"]) copyFileSync(which(shell), join(lower, ".oracle", shell));
    for (const library of libraries([which("bash"), which("dash"), join(tools, "recorder")])) {
      mkdirSync(join(lower, dirname(library)), { recursive: true });
      copyFileSync(library, join(lower, library));
    }
    for (const folder of STUB_DIRS) {
      mkdirSync(join(lower, folder), { recursive: true });
      // Hard links to one file: the overlay never lets a line change the file under it.
      for (const name of PROGRAMS) linkSync(join(lower, ".oracle", "recorder"), join(lower, folder, name));
    }
    for (const [path, text] of Object.entries(FILES)) {
      mkdirSync(join(lower, dirname(path)), { recursive: true });
      writeFileSync(join(lower, path), text);
    }
    for (const folder of ["tmp", "root", "proc", "dev", "home/dev/project/.github"]) {
      mkdirSync(join(lower, folder), { recursive: true });
    }
    // Empty files the driver binds the machine's /dev/null and /dev/zero over.
    for (const device of ["null", "zero"]) writeFileSync(join(lower, "dev", device), "");
    // The driver runs each line as dev when it can, so a process limit binds the line; dev owns
    // everything, so a write the line makes is never refused.
    if (process.getuid?.() === 0) execFileSync("chown", ["-R", `${CHROOT_USER}:${CHROOT_USER}`, lower]);
    // bash hands process substitutions over as /dev/fd/N; the driver mounts a read-only /proc for them.
    execFileSync("ln", ["-s", "/proc/self/fd", join(lower, "dev", "fd")]);
    return new ShellOracle(dir, lower);
  }

  /** Runs every line under `shell`, `parallel` drivers at a time, each line alone in its own fresh chroot. */
  async run(shell: OracleShell, lines: readonly string[], options: { parallel?: number; seconds?: number } = {}) {
    const parallel = Math.max(1, options.parallel ?? 2);
    const size = Math.ceil(lines.length / parallel);
    const chunks = Array.from({ length: parallel }, (_, i) => lines.slice(i * size, (i + 1) * size));
    const results = await Promise.all(
      chunks.map((chunk, i) => (chunk.length === 0 ? [] : this.batch(shell, chunk, `${shell}-${i}`, options.seconds ?? 2))),
    );
    return results.flat();
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async batch(shell: OracleShell, lines: readonly string[], name: string, seconds: number): Promise<ShellRun[]> {
    for (const line of lines) if (line.includes("\0")) throw new Error(`a command line cannot hold NUL: ${JSON.stringify(line)}`);
    const out = join(this.dir, name);
    const scratch = join(this.dir, `${name}-scratch`);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out);
    mkdirSync(scratch, { recursive: true });
    const input = join(this.dir, `${name}.lines`);
    writeFileSync(input, lines.map((line) => `${line}\0`).join(""));
    const found = namespaces();
    if ("unavailable" in found) throw new Error(found.unavailable);
    const { args } = found;
    const driver = [join(this.dir, "tools", "driver"), this.lower, scratch, out, shell, String(seconds * 1000), input];
    const stderr = await new Promise<string>((resolve, reject) => {
      const child = spawn("unshare", [...args, ...driver], { stdio: ["ignore", "ignore", "pipe"] });
      let text = "";
      child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve(text) : reject(new Error(`oracle driver failed (${code}): ${text}`))));
    });
    return lines.map((line, i) => {
      const file = (ext: string) => join(out, `${i}.${ext}`);
      if (!existsSync(file("rc"))) throw new Error(`oracle driver skipped line ${i}: ${stderr}`);
      const status = Number(readFileSync(file("rc"), "utf8").trim());
      const executed = existsSync(file("log")) ? parseLog(readFileSync(file("log"))) : [];
      const written = this.written(readFileSync(file("files")));
      return { shell, line, status, executed, written };
    });
  }

  /**
   * The overlay's upper folder holds whatever the line wrote: files, links and devices are
   * writes, a character device 0/0 is a deletion, a folder only when the chroot had none there
   * (folders above a new file are copied up too). The stand-ins' log is the oracle's own.
   */
  private written(listing: Buffer): string[] {
    const paths: string[] = [];
    for (const entry of listing.toString("utf8").split("\0")) {
      if (entry === "") continue;
      const type = entry.slice(0, 1);
      const path = `/${entry.slice(2)}`;
      if (path === "/.oracle/log" || path === "/.oracle") continue;
      if (type === "d" && existsSync(join(this.lower, path))) continue;
      paths.push(path);
    }
    return paths;
  }
}

function which(program: string): string {
  return execFileSync("sh", ["-c", `command -v ${program}`], { encoding: "utf8" }).trim();
}

/** The shared libraries and loader `ldd` lists for the binaries, at the paths they are loaded from. */
function libraries(binaries: readonly string[]): string[] {
  const found = new Set<string>();
  for (const binary of binaries) {
    for (const match of execFileSync("ldd", [binary], { encoding: "utf8" }).matchAll(/(\/\S+)/g)) {
      if (match[1] && match[1] !== binary) found.add(match[1]);
    }
  }
  return [...found];
}

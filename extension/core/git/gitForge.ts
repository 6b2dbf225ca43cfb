// What the git service knows of the forge: whether the GitHub CLI can open a pull request here
// (asked at most once a minute: `gh auth status` goes over the network), the compare link from
// `origin`, and the pull requests opened from a phone, remembered per branch in a small file of
// the workspace's state folder so the dashboard finds them again after a restart.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { compareLink } from "./forge";
import { git, runProcess } from "./run";

const GH_READY_TTL_MS = 60_000;
const GH_STATUS_TIMEOUT_MS = 10_000;

/** How long `git-state` waits for `gh auth status`; a slower answer counts from the next call on. */
const GH_READY_WAIT_MS = 1_500;

export class GhReadiness {
  private cached: { at: number; ready: Promise<boolean> } | undefined;
  private known = false;

  constructor(
    private readonly ghPath: string | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * `gh` is found and logged in; the answer is kept for a minute. A check that takes longer than
   * a dashboard should wait answers with what was known before, and is used once it is in.
   */
  async ready(cwd: string): Promise<boolean> {
    if (!this.cached || this.now() - this.cached.at >= GH_READY_TTL_MS) {
      const ready = this.ask(cwd).then((answer) => (this.known = answer));
      this.cached = { at: this.now(), ready };
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(this.known), GH_READY_WAIT_MS)));
    try {
      return await Promise.race([this.cached.ready, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async ask(cwd: string): Promise<boolean> {
    const path = this.ghPath ?? findOnPath("gh");
    if (path === undefined) return false;
    try {
      const status = await runProcess(path, ["auth", "status"], {
        cwd,
        env: { GH_PROMPT_DISABLED: "1", GH_NO_UPDATE_NOTIFIER: "1", NO_COLOR: "1" },
        timeoutMs: GH_STATUS_TIMEOUT_MS,
      });
      return status.code === 0;
    } catch {
      return false;
    }
  }
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir !== "" && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The branch `origin` names as its default (`main`), when the clone knows it. */
export async function remoteDefault(dir: string): Promise<string | undefined> {
  const head = await git(dir, ["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"], { allowFailure: true });
  if (head.code === 0 && head.stdout.trim().startsWith("origin/")) return head.stdout.trim().slice("origin/".length);
  // A remote added by hand has no HEAD recorded; its main or master is the usual base.
  for (const name of ["main", "master"]) {
    const ref = await git(dir, ["show-ref", "--verify", "--quiet", `refs/remotes/origin/${name}`], { allowFailure: true });
    if (ref.code === 0) return name;
  }
  return undefined;
}

/** The forge's page to open a pull request from `branch` into `base`, when `origin` is a known forge. */
export async function compareUrlFor(dir: string, base: string, branch: string): Promise<string | undefined> {
  if (base === branch) return undefined;
  const url = await git(dir, ["remote", "get-url", "origin"], { allowFailure: true });
  if (url.code !== 0) return undefined;
  return compareLink(url.stdout.trim(), base, branch);
}

/** Pull requests opened from a phone, by branch, in one JSON file. */
export class PullRequestStore {
  private readonly file: string;

  constructor(stateDir: string) {
    this.file = join(stateDir, "pull-requests.json");
  }

  get(branch: string): string | undefined {
    return this.read()[branch];
  }

  set(branch: string, url: string): void {
    const all = { ...this.read(), [branch]: url };
    mkdirSync(join(this.file, ".."), { recursive: true });
    const temp = `${this.file}.tmp`;
    writeFileSync(temp, JSON.stringify(all, null, 2));
    renameSync(temp, this.file);
  }

  private read(): Record<string, string> {
    try {
      const value: unknown = JSON.parse(readFileSync(this.file, "utf8"));
      if (typeof value !== "object" || value === null) return {};
      return Object.fromEntries(Object.entries(value).filter((pair): pair is [string, string] => typeof pair[1] === "string"));
    } catch {
      return {};
    }
  }
}

import { access, constants } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { git, runProcess } from "./run";
import { compareLinkFor, parseRemote, type ForgeKind } from "./forgeRemote";

export { parseRemote, type ForgeKind, type ForgeRemote } from "./forgeRemote";

/** The compare page for a remote URL, or undefined for a host that is not a known forge. */
export function compareLink(remoteUrl: string, base: string, head: string, kind?: ForgeKind): string | undefined {
  const remote = parseRemote(remoteUrl, kind);
  return remote ? compareLinkFor(remote, base, head) : undefined;
}

export interface GhOptions {
  /** The GitHub CLI to run; by default `gh` found on PATH. */
  ghPath?: string;
  /** How long one gh call may take before the person is told it did not answer. */
  timeoutMs?: number;
}

export type GhFailureCode = "gh-missing" | "gh-not-logged-in" | "gh-failed";

export interface PullRequestDraft {
  title: string;
  body: string;
  base: string;
  head: string;
}

export type PullRequestResult =
  | { ok: true; url: string }
  /** `compareLink` is where the person can open the request by hand, when the remote is a known forge. */
  | { ok: false; code: GhFailureCode; message: string; compareLink?: string };

/** Opens a pull request with the computer's own GitHub CLI login; the token never leaves the computer. */
export async function createPullRequest(
  repo: string,
  draft: PullRequestDraft,
  options: GhOptions = {},
): Promise<PullRequestResult> {
  const gh = await readyGh(repo, options);
  if (!gh.ok) return { ...gh, ...(await fallbackLink(repo, draft)) };
  // "--flag=value" so a title or body that starts with a dash is never read as a flag.
  const args = ["pr", "create", `--title=${draft.title}`, `--body=${draft.body}`, `--base=${draft.base}`, `--head=${draft.head}`];
  const result = await runProcess(gh.path, args, { cwd: repo, env: GH_ENV, timeoutMs: options.timeoutMs ?? GH_TIMEOUT_MS });
  const url = lastUrl(result.stdout);
  if (result.code !== 0 || url === undefined) {
    const message = result.stderr.trim() || result.stdout.trim() || `gh pr create exited with ${result.code}`;
    return { ok: false, code: "gh-failed", message, ...(await fallbackLink(repo, draft)) };
  }
  return { ok: true, url };
}

/** One check as `gh pr checks --json` reports it; `bucket` is pass, fail, pending, skipping or cancel. */
export interface PrCheck {
  name: string;
  state: string;
  bucket: string;
  link?: string;
}

export type PrChecksResult =
  | { ok: true; checks: PrCheck[]; passed: number; failed: number; pending: number }
  | { ok: false; code: GhFailureCode; message: string };

export async function prChecks(repo: string, url: string, options: GhOptions = {}): Promise<PrChecksResult> {
  if (!/^https?:\/\/\S+$/.test(url) && !/^\d+$/.test(url)) {
    return { ok: false, code: "gh-failed", message: `Not a pull request link: ${url}` };
  }
  const gh = await readyGh(repo, options);
  if (!gh.ok) return gh;
  const result = await runProcess(gh.path, ["pr", "checks", url, "--json", "name,state,bucket,link"], {
    cwd: repo,
    env: GH_ENV,
    timeoutMs: options.timeoutMs ?? GH_TIMEOUT_MS,
  });
  // gh exits 8 while checks are pending and 1 when one failed, yet still prints the list.
  const checks = parseChecks(result.stdout);
  if (checks === undefined) {
    if (/no checks reported/i.test(result.stderr)) return { ok: true, checks: [], passed: 0, failed: 0, pending: 0 };
    return { ok: false, code: "gh-failed", message: result.stderr.trim() || `gh pr checks exited with ${result.code}` };
  }
  const count = (bucket: string): number => checks.filter((c) => c.bucket === bucket).length;
  return { ok: true, checks, passed: count("pass"), failed: count("fail") + count("cancel"), pending: count("pending") };
}

// gh must never stop to ask anything: there is no terminal on the host side.
const GH_ENV = { GH_PROMPT_DISABLED: "1", GH_NO_UPDATE_NOTIFIER: "1", NO_COLOR: "1" };
/** gh talks to GitHub over the network; a phone waiting on it gets an answer within this. */
const GH_TIMEOUT_MS = 60_000;

async function readyGh(
  repo: string,
  options: GhOptions,
): Promise<{ ok: true; path: string } | { ok: false; code: GhFailureCode; message: string }> {
  const path = options.ghPath ?? (await onPath("gh"));
  if (path === undefined) {
    return { ok: false, code: "gh-missing", message: "gh not available: the GitHub CLI is not installed on this computer." };
  }
  let status;
  try {
    status = await runProcess(path, ["auth", "status"], {
      cwd: repo,
      env: GH_ENV,
      timeoutMs: options.timeoutMs ?? GH_TIMEOUT_MS,
    });
  } catch {
    return { ok: false, code: "gh-missing", message: `gh not available: ${path} could not be run.` };
  }
  if (status.code === -1) return { ok: false, code: "gh-failed", message: status.stderr.trim() };
  if (status.code !== 0) {
    const detail = (status.stderr || status.stdout).trim();
    return {
      ok: false,
      code: "gh-not-logged-in",
      message: `gh is not logged in on this computer${detail ? `: ${detail}` : "."}`,
    };
  }
  return { ok: true, path };
}

async function onPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

async function fallbackLink(repo: string, draft: PullRequestDraft): Promise<{ compareLink?: string }> {
  const remoteName = await git(repo, ["config", "--get", `branch.${draft.head}.remote`], { okCodes: [0, 1] });
  const name = remoteName.code === 0 && remoteName.stdout.trim() !== "." ? remoteName.stdout.trim() : "origin";
  const url = await git(repo, ["remote", "get-url", name], { okCodes: [0, 2, 128] });
  if (url.code !== 0) return {};
  const link = compareLink(url.stdout.trim(), draft.base, draft.head);
  return link === undefined ? {} : { compareLink: link };
}

function lastUrl(stdout: string): string | undefined {
  return stdout
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /^https?:\/\/\S+$/.test(line))
    .pop();
}

function parseChecks(stdout: string): PrCheck[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  return value.map((item: Record<string, unknown>) => {
    const check: PrCheck = { name: String(item.name ?? ""), state: String(item.state ?? ""), bucket: String(item.bucket ?? "") };
    if (typeof item.link === "string" && item.link !== "") check.link = item.link;
    return check;
  });
}

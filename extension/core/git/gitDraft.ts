// A commit message for what is staged, or a pull request's title and body for a branch, written
// by the computer's model in one plain completion (no tools). The diff in the prompt is capped and
// leaves secret files out; the phone gets a draft to edit, never a commit made for it.

import { ErrorCode, TetherError, type GitDraftResult } from "#protocol";
import { ModelNotConfigured, type ModelPort } from "../agent/model/port";
import { screenForModel } from "../secrets/screenForModel";
import { literal } from "./gitScope";
import { visibleEntries } from "./gitReads";
import { git } from "./run";

/** The diff a draft is written from stops here: enough to see what changed, cheap to send. */
export const MAX_DRAFT_DIFF_BYTES = 24 * 1024;
/** The relay gives a call 20 s; the draft must answer within it. */
export const DRAFT_TIMEOUT_MS = 15_000;
/** Pathspecs passed to git at once; a change wider than this is described from its first files. */
const MAX_DRAFT_FILES = 400;

const COMMIT_SYSTEM = [
  "You write git commit messages.",
  "Answer with the message only: a summary line in the imperative mood of at most 72 characters,",
  "then a blank line and a short body that says what changed and why, wrapped at 72 columns.",
  "No code fences, no quotes, no preamble.",
].join(" ");

const PR_SYSTEM = [
  "You write pull request descriptions.",
  "Answer with a title of at most 72 characters on the first line, then a blank line, then a body in",
  "Markdown that summarises the change and how it was tested when that is visible. No code fences around the answer.",
].join(" ");

export interface DraftSource {
  kind: "commit" | "pull-request";
  dir: string;
  /** For a pull request: the commit the branch is compared against. */
  base?: string;
  isSecret: (rel: string) => boolean;
}

export async function draftMessage(
  model: () => ModelPort,
  source: DraftSource,
  timeoutMs = DRAFT_TIMEOUT_MS,
): Promise<GitDraftResult> {
  // The diff goes to the model: a key in it is replaced by a marker first, as in a task's reads.
  const diff = source.kind === "commit" ? await commitPrompt(source) : await pullRequestPrompt(source);
  const prompt = (await screenForModel(diff, "the diff")).output;
  let port: ModelPort;
  try {
    port = model();
  } catch (error) {
    if (error instanceof ModelNotConfigured) {
      throw new TetherError(ErrorCode.BadRequest, "No model is set up on this computer to draft a message; write it yourself.");
    }
    throw error;
  }
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(
        new TetherError(
          ErrorCode.Timeout,
          `The model took over ${Math.round(timeoutMs / 1000)} s to draft it; write it yourself or try again.`,
        ),
      );
    }, timeoutMs);
  });
  try {
    const turn = await Promise.race([
      port.complete({
        system: source.kind === "commit" ? COMMIT_SYSTEM : PR_SYSTEM,
        messages: [{ role: "user", content: prompt }],
        tools: [],
        signal: controller.signal,
      }),
      late,
    ]);
    const { title, body } = parseDraft(turn.text);
    if (title === "") throw new TetherError(ErrorCode.Internal, "The model answered with an empty draft; write it yourself.");
    return { type: "git-draft", kind: source.kind, title, body, by: port.id.slice(0, 120) };
  } finally {
    clearTimeout(timer);
  }
}

/** The model's answer as a title (first line) and a body (the rest), without fences or labels. */
export function parseDraft(text: string): { title: string; body: string } {
  let clean = text.trim();
  const fenced = /^```[^\n]*\n([\s\S]*?)\n?```$/.exec(clean);
  if (fenced) clean = (fenced[1] ?? "").trim();
  const lines = clean.split("\n");
  const first = lines.findIndex((line) => line.trim() !== "");
  const rawTitle = first < 0 ? "" : (lines[first] ?? "");
  const title = rawTitle
    .trim()
    .replace(/^#+\s*/, "")
    .replace(/^(title|subject|summary)\s*:\s*/i, "")
    .replace(/^["'`](.*)["'`]$/, "$1")
    .trim()
    .slice(0, 300);
  const body = lines
    .slice(first + 1)
    .join("\n")
    .replace(/^\s*(body|description)\s*:\s*/i, "")
    .trim()
    .slice(0, 20_000);
  return { title, body };
}

async function commitPrompt(source: DraftSource): Promise<string> {
  const staged = (await visibleEntries(source.dir, source.isSecret)).filter((e) => e.index !== "." && e.index !== "?");
  if (staged.length === 0) throw new TetherError(ErrorCode.BadRequest, "Nothing is staged: stage the changes to commit first.");
  const paths = staged.flatMap((e) => (e.origPath !== undefined ? [e.origPath, e.path] : [e.path])).slice(0, MAX_DRAFT_FILES);
  const diff = await cappedDiff(source.dir, ["diff", "--cached", "-M"], paths);
  return `Write the commit message for this staged change (${staged.length} files).\n\n${diff}`;
}

async function pullRequestPrompt(source: DraftSource): Promise<string> {
  if (source.base === undefined) {
    throw new TetherError(ErrorCode.BadRequest, "There is no base branch to compare this branch with.");
  }
  const range = `${source.base}..HEAD`;
  const log = await git(source.dir, ["log", "--no-color", "--format=- %s%n%w(0,2,2)%b", range], { maxBytes: 8 * 1024 });
  if (log.stdout.trim() === "") throw new TetherError(ErrorCode.BadRequest, "The branch has no commits of its own yet.");
  const names = await git(source.dir, ["diff", "--name-only", "-z", "-M", `${source.base}...HEAD`]);
  const paths = names.stdout
    .split("\0")
    .filter((p) => p !== "" && !source.isSecret(p))
    .slice(0, MAX_DRAFT_FILES);
  const diff = paths.length > 0 ? await cappedDiff(source.dir, ["diff", "-M", `${source.base}...HEAD`], paths) : "";
  return `Write the pull request for this branch.\n\nIts commits:\n${log.stdout.trim()}\n\nIts diff:\n${diff}`;
}

async function cappedDiff(dir: string, args: string[], paths: readonly string[]): Promise<string> {
  const [verb, ...rest] = args;
  const out = await git(
    dir,
    [verb ?? "diff", "--no-color", "--no-ext-diff", "--stat", "--patch", ...rest, "--", ...paths.map(literal)],
    {
      maxBytes: MAX_DRAFT_DIFF_BYTES,
    },
  );
  return out.truncated ? `${out.stdout}\n[diff cut here]` : out.stdout;
}

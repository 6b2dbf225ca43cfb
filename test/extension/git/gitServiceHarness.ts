// The git service on real repositories: a small real `GitThreads` (threads in a Map, worktrees
// made by the library), a real Mirror for the secret rules, a stand-in `gh` that records its
// arguments, and a scripted model for drafts.

import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ErrorCode, TetherError, type DeviceRef, type GitStateResult, type WorktreeState } from "#protocol";
import { ModelNotConfigured, type ModelPort, type ModelRequest } from "../../../extension/core/agent/model/port";
import { GitService, type GitServiceOptions } from "../../../extension/core/git/gitService";
import type { GitEventInput, GitThreads, ThreadWorktree } from "../../../extension/core/git/gitThreads";
import { TaskWorktrees } from "../../../extension/core/git/worktrees";
import { Mirror } from "../../../extension/core/mirror/mirror";
import { nodeFileSystem } from "../../../extension/node/nodeFileSystem";
import { quietLog } from "../../support/host";

export const phone: DeviceRef = { id: "phone-1", name: "Ada's phone" };

interface TestThread {
  worktree?: ThreadWorktree;
  active: boolean;
  events: GitEventInput[];
}

export class TestThreads implements GitThreads {
  readonly threads = new Map<string, TestThread>();
  model: ModelPort | undefined;

  add(threadId: string, worktree?: ThreadWorktree["worktree"]): TestThread {
    const thread: TestThread = { active: false, events: [], ...(worktree ? { worktree: { worktree, state: "open" } } : {}) };
    this.threads.set(threadId, thread);
    return thread;
  }

  private get(threadId: string): TestThread {
    const thread = this.threads.get(threadId);
    if (!thread) throw new TetherError(ErrorCode.NotFound, `no thread ${threadId}`);
    return thread;
  }

  worktreeOf(threadId: string): ThreadWorktree | undefined {
    return this.get(threadId).worktree;
  }
  isActive(threadId: string): boolean {
    return this.get(threadId).active;
  }
  recordGit(threadId: string, event: GitEventInput): void {
    this.get(threadId).events.push(event);
  }
  setWorktreeState(threadId: string, state: WorktreeState): void {
    const wt = this.get(threadId).worktree;
    if (wt) wt.state = state;
  }
  draftModel(): ModelPort {
    if (!this.model) throw new ModelNotConfigured("No model is configured.");
    return this.model;
  }
  events(threadId: string): GitEventInput[] {
    return this.get(threadId).events;
  }
}

/** A model that answers every request with `text` (after `delayMs`), keeping the requests. */
export function scriptedModel(text: string, delayMs = 0): ModelPort & { requests: ModelRequest[] } {
  const requests: ModelRequest[] = [];
  return {
    id: "test:drafter",
    requests,
    async complete(request) {
      requests.push(request);
      if (delayMs > 0) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, delayMs);
          request.signal.addEventListener("abort", () => {
            clearTimeout(timer);
            reject(new Error("aborted"));
          });
        });
      }
      return { text, toolCalls: [], stop: "end" };
    },
  };
}

export async function makeService(
  root: string,
  stateDir: string,
  extra: Partial<GitServiceOptions> = {},
): Promise<{ service: GitService; threads: TestThreads; worktrees: TaskWorktrees }> {
  const mirror = await Mirror.open({ fs: nodeFileSystem, root });
  const threads = new TestThreads();
  const worktrees = new TaskWorktrees();
  const service = new GitService({
    threads,
    root: mirror.root,
    stateDir,
    isSecret: (rel) => mirror.isSecret(rel),
    log: quietLog,
    worktrees,
    ...extra,
  });
  return { service, threads, worktrees };
}

/** A `gh` stand-in in its own folder: logged in, prints a pull request's URL, records each argv. */
export function fakeGh(
  folder: string,
  options: { url?: string; authDelaySeconds?: number } = {},
): { bin: string; calls: () => string[][] } {
  const url = options.url ?? "https://github.com/acme/widgets/pull/7";
  const wait = options.authDelaySeconds ? `sleep ${options.authDelaySeconds}; ` : "";
  const bin = join(folder, "bin");
  mkdirSync(bin, { recursive: true });
  const log = join(folder, "gh-calls.log");
  writeFileSync(log, "");
  const script = [
    "#!/bin/sh",
    `for arg in "$@"; do printf '%s\\037' "$arg" >> '${log}'; done`,
    `printf '\\036' >> '${log}'`,
    'case "$1 $2" in',
    `  "auth status") ${wait}echo "github.com: Logged in to github.com as ada"; exit 0;;`,
    `  "pr create") echo "Creating pull request"; echo "${url}"; exit 0;;`,
    `  "pr checks") echo '[{"name":"build","state":"SUCCESS","bucket":"pass","link":"https://ci.example/1"}]'; exit 0;;`,
    "esac",
    'echo "unknown command" >&2; exit 1',
  ].join("\n");
  writeFileSync(join(bin, "gh"), script + "\n");
  chmodSync(join(bin, "gh"), 0o755);
  const calls = (): string[][] =>
    readFileSync(log, "utf8")
      .split("\x1e")
      .filter(Boolean)
      .map((call) => call.split("\x1f").filter((_, i, all) => i < all.length - 1));
  return { bin, calls };
}

/** Waits for the scope's op to end and returns the state that shows it. */
export async function settled(service: GitService, threadId?: string): Promise<GitStateResult> {
  await service.ops.idle();
  return service.state(threadId);
}

export async function rejection(promise: Promise<unknown>): Promise<TetherError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TetherError) return error;
    throw error;
  }
  throw new Error("expected a refusal, but it went ahead");
}

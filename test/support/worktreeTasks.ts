// Tasks in git worktrees for tests: a real repository (gitFixture), the real thread manager with
// the scripted model, and a model script that answers each task by its text, so tasks that run at
// once each get their own next step whatever order their requests come in.

import { realpathSync } from "node:fs";
import type { DeviceRef, ThreadEvent } from "#protocol";
import type { ThreadManager } from "../../extension/core/threads/threadManager";
import { gitFixture, type GitFixture } from "../extension/git/gitFixture";
import { runEnded, startAgentThreads, type AgentThreads } from "./agentThreads";
import { until } from "./wait";
import { startFakeOpenAI, type FakeModelServer, type FakeTurn, type OpenAIBody } from "./fakeModels";

export const phone: DeviceRef = { id: "phone-1", name: "Pixel 8" };

export const call = (name: string, args: object): FakeTurn => ({ toolCalls: [{ name, args }] });
export const finish = (summary: string): FakeTurn => call("finish", { summary });

export interface WorktreeBench {
  fx: GitFixture;
  model: FakeModelServer<OpenAIBody>;
  threads: AgentThreads;
  /** Each task's turns, by a word of the person's last message: the next one is the turn after as many tool results. */
  plan: Map<string, FakeTurn[]>;
  restart(options?: { worktrees?: boolean }): Promise<AgentThreads>;
  close(): Promise<void>;
}

export async function worktreeBench(options: { worktrees?: boolean; mode?: "ask" | "full-auto" } = {}): Promise<WorktreeBench> {
  const fx = gitFixture({ "README.md": "hello\n", "src/app.ts": "export const app = 1;\n" });
  const plan = new Map<string, FakeTurn[]>();
  const model = await startFakeOpenAI();
  // Enough answers for every test here; each one looks at which task asks.
  for (let i = 0; i < 200; i++) {
    model.push((req) => {
      // The person's last message says which task and which part of it; tool results since, how far it got.
      const messages = req.body.messages;
      const last = messages.findLastIndex((m) => m.role === "user");
      const text = JSON.stringify(messages[last]);
      const turns = [...plan.entries()].find(([word]) => text.includes(word))?.[1] ?? [];
      const done = messages.slice(last).filter((m) => m.role === "tool").length;
      return turns[done] ?? finish("Done.");
    });
  }
  const start = (worktrees = options.worktrees): Promise<AgentThreads> =>
    startAgentThreads({
      folder: fx.workspace,
      modelUrl: model.url,
      stateDir: fx.stateDir,
      mode: options.mode ?? "full-auto",
      gitEnv: fx.env,
      ...(worktrees !== undefined ? { worktrees } : {}),
    });
  const bench: WorktreeBench = {
    fx,
    model,
    plan,
    threads: await start(),
    async restart(again = {}) {
      await bench.threads.close();
      bench.threads = await start(again.worktrees ?? options.worktrees);
      return bench.threads;
    },
    async close() {
      await bench.threads.close();
      await model.close();
      fx.dispose();
    },
  };
  return bench;
}

/** Sends a new task as a phone does and waits for its run to end. */
export async function runTask(manager: ThreadManager, threadId: string, text: string, worktree?: boolean): Promise<ThreadEvent> {
  const ended = runEnded(manager, threadId);
  await manager.handle({ type: "new-task", threadId, text, ...(worktree !== undefined ? { worktree } : {}) }, phone);
  const last = await ended;
  // The status says it ended a moment before its run has closed up.
  await until("the run closes", () => !manager.isActive(threadId));
  return last;
}

/** The thread's worktree folder, with links resolved (as commands see it). */
export function worktreePath(manager: ThreadManager, threadId: string): string {
  const found = manager.worktreeOf(threadId);
  if (!found) throw new Error(`${threadId} has no worktree`);
  return realpathSync(found.worktree.path);
}

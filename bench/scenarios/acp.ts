// 10. Outside agents: the cost of an ACP permission round trip beside the built-in agent's
// approval, and the host's memory per idle agent session. Both agents run in the real host core
// (createAgent, the thread manager, the gate) in this process, in "ask" mode, with a person who
// decides the moment the request is recorded. Timed from that decision to the agent acting on
// it: for Tether's own agent, its command starting (a runner that records the moment); for an
// outside agent, the answer to `session/request_permission` arriving in its process over stdio.

import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { randomId } from "#protocol";
import { createAgent, type Agent } from "../../extension/core/agentHost";
import { resolveModel } from "../../extension/core/agent/model/config";
import type { ProcessRunner } from "../../extension/core/agent/tools/ports";
import { HostAgents } from "../../extension/core/agents/hostAgents";
import { Mirror } from "../../extension/core/mirror/mirror";
import type { Thread } from "../../extension/core/threads/thread";
import { nodeFileSystem } from "../../extension/node/nodeFileSystem";
import { nodeProcessRunner } from "../../extension/node/processRunner";
import { nodeWorkspaceFiles } from "../../extension/node/nodeWorkspaceFiles";
import { startFakeOpenAI } from "../../test/support/fakeModels";
import { quietLog } from "../../test/support/host";
import { shellGrammar } from "../../test/support/shellGrammar";
import { makeWorkspace } from "../../test/support/workspace";
import { figure } from "../lib/results";
import { Cleanup, type Scenario } from "../lib/scenario";
import { fmt, round, sleep, summarize, until } from "../lib/stats";

const AGENT = join(__dirname, "..", "lib", "acpBenchAgent.mjs");
const BY = { id: "bench-phone", name: "bench phone" };
const clock = (): number => performance.timeOrigin + performance.now();

export const acpScenario: Scenario = {
  id: "acp",
  title: "Outside agents (ACP)",
  async run(ctx, out) {
    const samples = ctx.quick ? 20 : 300;
    const sessions = ctx.quick ? 4 : 12;
    out.params = { samples, idleSessions: sessions };
    const cleanup = new Cleanup();
    try {
      ctx.log(`built-in agent: ${samples} approvals`);
      const builtin = summarize(await builtinDecisions(ctx.tmp, samples, cleanup));
      ctx.log(`outside agent over ACP: ${samples} permission requests`);
      const acp = summarize(await acpDecisions(ctx.tmp, samples, cleanup));
      out.figures.push(
        figure({
          id: "builtin-p50",
          label: "built-in agent: decision to its command starting p50",
          value: round(builtin.p50),
          unit: "ms",
        }),
        figure({
          id: "acp-p50",
          label: "ACP agent: decision to its permission answer p50",
          value: round(acp.p50),
          unit: "ms",
          goal: { op: "<=", value: round(builtin.p50 + 2) },
        }),
        figure({ id: "acp-p99", label: "ACP agent: decision to its permission answer p99", value: round(acp.p99), unit: "ms" }),
      );
      ctx.log(`host memory: ${sessions} idle agent sessions`);
      const memory = await idleSessionMemory(ctx.tmp, sessions, cleanup);
      out.figures.push(
        figure({
          id: "idle-session-kb",
          label: "host memory per idle agent session",
          value: round(memory.hostBytes / sessions / 1024, 1),
          unit: "KB",
        }),
        figure({
          id: "agent-rss-mb",
          label: "the bench agent's own process (RSS), each",
          value: round(memory.agentRss / 2 ** 20, 1),
          unit: "MB",
        }),
      );
      out.notes.push(
        `Both agents run in the host core in this process in "ask" mode; a person decides the moment the request is ` +
          `recorded (no relay: the relay's part is the approval scenario's). The goal holds the ACP answer to at most 2 ms ` +
          `over the built-in agent's decision-to-command (${fmt(builtin.p50)} ms here). On the ACP path: the decision ` +
          "is recorded, the gate picks the agent's allow option by kind, the SDK writes one JSON-RPC line to the agent's " +
          "stdin and the agent's process reads it.",
        `Idle sessions: ${sessions} threads each left their agent's session open (so the next message goes on in it), ` +
          "measured as the host's heap and external memory after garbage collection, before and after. The agent's own " +
          "process is the agent's cost, not the host's: a real agent (Claude Code's adapter, Codex) is far larger than " +
          "the bench agent, and an idle session ends after 30 minutes.",
      );
    } finally {
      await cleanup.run();
    }
  },
};

async function hostFor(
  tmp: string,
  name: string,
  cleanup: Cleanup,
  extra: { runner?: ProcessRunner; modelUrl?: string; agents?: HostAgents },
): Promise<Agent> {
  const folder = makeWorkspace({ "package.json": "{}\n" });
  const mirror = await Mirror.open({ fs: nodeFileSystem, root: folder });
  const agent = createAgent({
    mirror,
    files: nodeWorkspaceFiles,
    runner: extra.runner ?? nodeProcessRunner,
    stateDir: join(tmp, name),
    workspaceName: basename(folder),
    mode: "ask",
    rules: { allow: [], deny: [] },
    homeDir: homedir(),
    grammar: await shellGrammar(),
    resolveModel: (requested) =>
      resolveModel({ model: requested ?? "openai:bench", baseUrl: extra.modelUrl ?? "http://127.0.0.1:9" }, {}),
    maxParallel: 32,
    self: { id: "host", name: "bench host" },
    platform: process.platform,
    log: quietLog,
    ...(extra.agents ? { agents: extra.agents } : {}),
  });
  cleanup.add(agent, async (a) => {
    await a.manager.close();
    await a.store.close();
  });
  return agent;
}

/** Decides each approval of the thread the moment it is recorded; resolves the decision times. */
function decideAtOnce(agent: Agent, threadId: string): number[] {
  const decided: number[] = [];
  agent.manager.on("event", (thread: Thread, { event }) => {
    if (thread.id !== threadId || event.type !== "approval-requested") return;
    const option = event.options?.find((o) => o.kind === "allow_once");
    const at = clock();
    void agent.manager.handle(
      {
        type: "decide",
        threadId,
        approvalId: event.approvalId,
        decision: "approve",
        ...(option ? { optionId: option.optionId } : {}),
      },
      BY,
    );
    decided.push(at);
  });
  return decided;
}

/** Commands per thread of the built-in agent, under its limit of model calls in one run. */
const PER_THREAD = 100;

async function builtinDecisions(tmp: string, samples: number, cleanup: Cleanup): Promise<number[]> {
  const started: number[] = [];
  const runner: ProcessRunner = {
    run: async () => {
      started.push(clock());
      return { exitCode: 0, signal: null, timedOut: false, stopped: false, output: "ok\n", outputBytes: 3, durationMs: 0 };
    },
  };
  const threads = Math.ceil(samples / PER_THREAD);
  const perThread = Math.ceil(samples / threads);
  const oneThread = [
    ...Array.from({ length: perThread }, () => ({ toolCalls: [{ name: "run_command", args: { command: "npm test" } }] })),
    { toolCalls: [{ name: "finish", args: { summary: "done" } }] },
  ];
  const model = cleanup.add(await startFakeOpenAI(Array.from({ length: threads }, () => oneThread).flat()), (m) => m.close());
  const agent = await hostFor(tmp, "builtin", cleanup, { runner, modelUrl: model.url });
  const gaps: number[] = [];
  for (let t = 0; t < threads; t++) {
    const threadId = randomId(12);
    const decided = decideAtOnce(agent, threadId);
    const first = started.length;
    const thread = agent.manager.newTask({ threadId, text: "run the tests" }, BY);
    await until(() => ["done", "failed", "stopped"].includes(thread.status), 600_000, "the built-in run to end");
    if (thread.status !== "done") throw new Error(`the built-in run ended ${thread.status}`);
    gaps.push(...decided.slice(5).map((at, i) => started[first + i + 5]! - at));
  }
  return gaps;
}

async function acpDecisions(tmp: string, samples: number, cleanup: Cleanup): Promise<number[]> {
  const times = join(tmp, "acp-times.jsonl");
  const agents = new HostAgents({
    definitions: [{ id: "bench", name: "Bench agent", command: [process.execPath, AGENT], env: { BENCH_ACP_TIMES: times } }],
    hostName: "bench host",
    log: quietLog,
  });
  const agent = await hostFor(tmp, "acp", cleanup, { agents });
  const threadId = randomId(12);
  const decided = decideAtOnce(agent, threadId);
  const thread = agent.manager.newTask({ threadId, text: `permissions ${samples}`, agent: "bench" }, BY);
  await until(() => ["done", "failed", "stopped"].includes(thread.status), 600_000, "the ACP run to end");
  if (thread.status !== "done") throw new Error(`the ACP run ended ${thread.status}`);
  const answered = JSON.parse(readFileSync(times, "utf8").trim().split("\n")[0]!) as number[];
  return decided.slice(5).map((at, i) => answered[i + 5]! - at);
}

async function idleSessionMemory(tmp: string, count: number, cleanup: Cleanup): Promise<{ hostBytes: number; agentRss: number }> {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const agents = new HostAgents({
    definitions: [{ id: "bench", name: "Bench agent", command: [process.execPath, AGENT] }],
    hostName: "bench host",
    log: quietLog,
  });
  const agent = await hostFor(tmp, "idle", cleanup, { agents });
  // One session first, so what every session shares (the SDK's modules, the first spawn) is not counted.
  const warm = agent.manager.newTask({ threadId: randomId(12), text: "permissions 0", agent: "bench" }, BY);
  await until(() => warm.status === "done", 60_000, "the first session");
  // Garbage of the runs before is collected first: several collections, with the event loop turning between.
  const used = async (): Promise<number> => {
    for (let i = 0; i < 4; i++) {
      gc();
      await sleep(50);
    }
    const m = process.memoryUsage();
    return m.heapUsed + m.external + m.arrayBuffers;
  };
  const before = await used();
  const threads = Array.from({ length: count }, () =>
    agent.manager.newTask({ threadId: randomId(12), text: "permissions 0", agent: "bench" }, BY),
  );
  await until(() => threads.every((t) => t.status === "done"), 120_000, "every session to be idle");
  const after = await used();
  const pid = agents.live(threads[0]!.id)?.process.pid;
  const rss = pid ? Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024 : 0;
  if (agents.openSessions < count) throw new Error(`only ${agents.openSessions} sessions stayed open`);
  return { hostBytes: Math.max(0, after - before), agentRss: rss };
}

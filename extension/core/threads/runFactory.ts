// What a run of Tether's own model loop is made of, for a thread about to start: the model with
// retries recorded on the thread, the policy in the thread's mode, the system prompt for the
// workspace. Kept apart from the queue that starts runs, so a second kind of run (an outside
// agent) is one more function here, not another branch inside the thread manager.

import type { DeviceRef, LiveEvent } from "#protocol";
import { AcpRun } from "../agents/acpRun";
import type { HostAgents } from "../agents/hostAgents";
import type { ModelPort } from "../agent/model/port";
import { formatRetry, withRetry } from "../agent/model/retry";
import type { Policy } from "../agent/policy/policy";
import type { Tool } from "../agent/tools/tool";
import type { AgentWorkspace } from "../agent/tools/workspace";
import type { Hooks } from "../hooks/hooks";
import type { Log } from "../log";
import { AgentRun } from "./agentRun";
import type { ThreadRun } from "./runQueue";
import { systemPrompt } from "./prompt";
import type { Thread } from "./thread";
import type { ThreadStore } from "./threadStore";

/** The host's parts every run uses (a subset of `ThreadManagerOptions`). */
export interface RunParts {
  /** The model for a task: the requested one or the host's default. Throws `ModelNotConfigured`. */
  resolveModel: (requested?: string) => ModelPort;
  store: ThreadStore;
  workspace: AgentWorkspace;
  workspaceName: string;
  tools: readonly Tool[];
  /** The host's policy: its default mode and its allow/deny rules. */
  policy: Policy;
  /** This host as a device, for events it causes itself. */
  self: DeviceRef;
  platform: string;
  /** Base delay of model retries (tests shorten it). */
  retryBaseDelayMs?: number;
  /**
   * Keeps a rule added by "Always on this computer" (a settings entry, a file) and calls
   * `setAllowRules` with the new list. Without it the choice is not offered.
   */
  addHostRule?: (rule: string, by: DeviceRef) => void;
  /** The outside agents this host can run, with their sessions. Without it, only Tether's own agent runs. */
  agents?: HostAgents;
  /** The host's hooks (the user's, and the project's once trusted); without them none run. */
  hooks?: Hooks;
  log: Log;
}

/** What the manager lends the run: the clock, live events out, and the wait before resuming. */
export interface RunHooks {
  now: () => number;
  live: (event: LiveEvent) => void;
  beforeResume: () => Promise<void>;
}

/**
 * The thread's run, or nothing when it cannot be made (its model cannot be had, or anything else
 * fails on the way): the thread then ends as failed, saying why, and is never left queued.
 */
export function runFor(thread: Thread, parts: RunParts, hooks: RunHooks): ThreadRun | undefined {
  try {
    const task = thread.events[0]?.event;
    if (task?.type === "task" && task.agent) return agentRunFor(thread, task.agent, parts, hooks);
    return modelRunFor(thread, parts.resolveModel(thread.model || undefined), parts, hooks);
  } catch (err) {
    thread.append({ type: "error", message: (err as Error).message });
    thread.setStatus("failed");
    return undefined;
  }
}

/** A run of an outside agent the thread was started with; it fails when the host no longer has that agent. */
function agentRunFor(thread: Thread, agent: { id: string; name: string }, parts: RunParts, hooks: RunHooks): AcpRun {
  const definition = parts.agents?.definition(agent.id);
  if (!parts.agents || !definition) {
    throw new Error(`${agent.name} is no longer an agent on this computer, so this thread cannot run.`);
  }
  return new AcpRun({
    thread,
    store: parts.store,
    workspace: parts.workspace,
    policy: parts.policy.withMode(thread.mode),
    definition,
    agents: parts.agents,
    live: hooks.live,
    self: parts.self,
    log: parts.log,
    beforeResume: hooks.beforeResume,
    ...(parts.addHostRule ? { addHostRule: parts.addHostRule } : {}),
    hooks: parts.hooks,
  });
}

function modelRunFor(thread: Thread, model: ModelPort, parts: RunParts, hooks: RunHooks): AgentRun {
  const { store, workspace, workspaceName, tools, policy, self, platform } = parts;
  const retrying = withRetry(model, {
    ...(parts.retryBaseDelayMs !== undefined ? { baseDelayMs: parts.retryBaseDelayMs } : {}),
    onRetry: (info) => thread.append({ type: "retry", attempt: info.attempt, inMs: info.inMs, message: formatRetry(info) }),
  });
  const mode = thread.mode;
  return new AgentRun({
    thread,
    store,
    model: retrying,
    tools,
    workspace,
    policy: policy.withMode(mode),
    system: () => systemPrompt({ workspace, workspaceName, mode, platform, date: new Date(hooks.now()) }),
    live: hooks.live,
    self,
    beforeResume: hooks.beforeResume,
    ...(parts.addHostRule ? { addHostRule: parts.addHostRule } : {}),
    hooks: parts.hooks,
  });
}

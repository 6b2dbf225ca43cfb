// Runs a headless host in this process: identity from the state directory, the mirror on
// the folder, the relay link, and the terminal for pairing. Used by `tether-host` and by
// `npm start`.

import { homedir } from "node:os";
import { basename } from "node:path";
import { BUILTIN_AGENT, askReason, decidedWords, setAesGcm, type ThreadEvent } from "#protocol";
import { checkModel } from "../core/agent/model/check";
import { resolveModel } from "../core/agent/model/config";
import { ModelNotConfigured } from "../core/agent/model/port";
import { loadShellGrammar } from "../core/agent/policy/grammar";
import { createAgent } from "../core/agentHost";
import { hostAgents } from "../core/agents/catalog";
import { HostAgents } from "../core/agents/hostAgents";
import { Host } from "../core/host";
import { HostIdentity } from "../core/identity";
import type { Log } from "../core/log";
import { Mirror } from "../core/mirror/mirror";
import { nodeAesGcm } from "../node/aesGcm";
import { nodeFileSystem } from "../node/nodeFileSystem";
import { createNodeGitStatus } from "../node/nodeGitStatus";
import { createProcessRunner } from "../node/processRunner";
import { RunningCommands, stopLeftRunning } from "../node/runningCommands";
import { workspaceStateDir } from "../core/threads/threadStore";
import { nodeWorkspaceFiles } from "../node/nodeWorkspaceFiles";
import { stateFile } from "../node/stateFile";
import { HostRulesFile, keepHostRules, type HostRuleKeeper } from "../node/hostRulesFile";
import { KeepAwake } from "../core/power/keepAwake";
import { nodeSleepInhibitor } from "../node/sleepInhibitor";
import type { HostConfig } from "./config";
import { Hooks } from "../core/hooks/hooks";
import { HookTrustFile } from "../core/hooks/hookTrust";
import { ProjectHooks } from "../core/hooks/projectHooks";
import { readUserHooks } from "../core/hooks/userHooks";
import { describeProjectHooks, hooksCommands } from "./hooksCommand";
import { phoneCommands } from "./phoneCommands";
import { createTerminal, type Terminal } from "./terminal";

function terminalLog(term: Terminal): Log {
  const fmt = (fields?: Record<string, unknown>): string =>
    fields && Object.keys(fields).length
      ? " (" +
        Object.entries(fields)
          .map(([k, v]) => `${k}: ${String(v)}`)
          .join(", ") +
        ")"
      : "";
  return {
    info: () => undefined,
    warn: (m, f) => term.say(`warning: ${m}${fmt(f)}`),
    error: (m, f) => term.say(`error: ${m}${fmt(f)}`),
  };
}

export interface RunningHost {
  host: Host;
  /** Stops running tasks (they end as interrupted), then disconnects. */
  close(): Promise<void>;
}

/** One line in the terminal for the thread events a person at the machine wants to see. */
function describeEvent(title: string, e: ThreadEvent): string | undefined {
  switch (e.type) {
    case "task":
      return `Task from ${e.by.name}${e.agent ? ` for ${e.agent.name}` : ""}: "${title}"`;
    case "approval-requested": {
      const what =
        e.kind === "command"
          ? `  waiting for approval to run: ${e.command}`
          : `  waiting for approval to edit ${e.path ?? "a file"}`;
      // The gate's reason in plain words, as the phone's card shows it.
      return `${what}\n    ${askReason(e)}`;
    }
    case "approval-resolved":
      return `  ${decidedWords(e.decision).toLowerCase()} by ${e.by.name}`;
    case "file-change":
      return `  ${e.change} ${e.path} (+${e.added} −${e.removed})`;
    case "retry":
      return `  ${e.message}`;
    case "error":
      return `  error: ${e.message}`;
    case "status":
      return ["done", "failed", "stopped"].includes(e.status)
        ? `"${title}" ${e.status}${e.detail ? ` (${e.detail})` : ""}`
        : undefined;
    default:
      return undefined;
  }
}

/** Which agents tasks may run with here, the one they run with by default, and those not installed. */
function agentsLine(agents: HostAgents | undefined): string {
  if (!agents) return "Agents: Tether's own only.";
  const all = agents.list();
  const named = (a: { id: string; name: string }): string => (a.id === BUILTIN_AGENT ? "Tether's own" : a.name);
  const installed = all.filter((a) => a.installed).map(named);
  const missing = all.filter((a) => !a.installed).map((a) => a.name);
  const chosen = all.find((a) => a.id === agents.defaultAgent);
  const byDefault = chosen ? named(chosen) : agents.defaultAgent;
  return (
    `Agents: ${installed.join(", ")} · tasks run with ${byDefault} unless the phone picks another` +
    (missing.length ? `\nNot installed here (the phone says how to install each): ${missing.join(", ")}` : "")
  );
}

/** How many rules are kept on this computer; a broken file was reported when it was loaded. */
function rulesCount(file: HostRulesFile): number {
  try {
    return file.list().length;
  } catch {
    return 0;
  }
}

export interface PairingDisplay {
  /** Origin phones reach the relay at (a tunnel's), put in pairing links instead of the relay's. */
  origin?: string;
  /** Lines under the QR code for a link, e.g. that it opens only on this computer. */
  note?: (url: string) => string[] | undefined;
}

export async function runHeadlessHost(config: HostConfig, display: PairingDisplay = {}): Promise<RunningHost> {
  // The host seals and opens every event, command and reply: Node's AES-GCM, on the event loop.
  setAesGcm(nodeAesGcm);
  const term = createTerminal(process.stdin, process.stdout);
  const log = terminalLog(term);
  const identity = await HostIdentity.loadOrCreate(stateFile(config.stateDir));
  let mirror: Mirror;
  try {
    mirror = await Mirror.open({ fs: nodeFileSystem, root: config.folder, gitStatus: createNodeGitStatus(config.folder) });
  } catch {
    throw new Error(`${config.folder} is not a folder this host can open`);
  }
  const { agent: agentConfig } = config;
  // Commands a killed host left running end before their threads are marked interrupted.
  const runningDir = workspaceStateDir(config.stateDir, mirror.root);
  const stoppedCommands = await stopLeftRunning(runningDir, log);
  const modelOptions = { ...(agentConfig.baseUrl ? { baseUrl: agentConfig.baseUrl } : {}) };
  const rulesFile = new HostRulesFile(config.stateDir);
  const runner = createProcessRunner({ running: new RunningCommands(runningDir) });
  // The user's hooks file is read whenever hooks run; the project's runs only once trusted here.
  const hooks = new Hooks({
    user: () => readUserHooks(config.hooksFile),
    project: new ProjectHooks(mirror.root, new HookTrustFile(config.stateDir)),
    log,
  });
  const agent = createAgent({
    mirror,
    files: nodeWorkspaceFiles,
    runner,
    worktrees: agentConfig.worktrees,
    // A task's worktree: the workspace's rules over its folder, with its own git marks.
    workspaceAt: async (root) => ({
      mirror: await mirror.rootedAt(root, createNodeGitStatus(root)),
      files: nodeWorkspaceFiles,
      runner,
    }),
    stoppedCommands,
    stateDir: config.stateDir,
    workspaceName: basename(mirror.root),
    mode: agentConfig.mode,
    rules: { allow: agentConfig.allow, deny: agentConfig.deny },
    homeDir: homedir(),
    grammar: await loadShellGrammar(),
    resolveModel: (requested) => resolveModel({ ...modelOptions, model: requested ?? agentConfig.model }, process.env),
    maxParallel: agentConfig.maxThreads,
    self: { id: "host", name: `${config.name} (terminal)` },
    platform: process.platform,
    log,
    // "Always on this computer": kept in the state directory, in force at once for every thread.
    addHostRule: (rule, by) => rules.add(rule, by),
    hooks,
    agents: new HostAgents({
      definitions: hostAgents(agentConfig.agents, agentConfig.defaultAgent),
      defaultAgent: agentConfig.defaultAgent,
      hostName: config.name,
      log,
    }),
  });
  const rules: HostRuleKeeper = keepHostRules({
    file: rulesFile,
    base: agentConfig.allow,
    apply: (list) => agent.manager.setAllowRules(list),
    say: (line) => term.say(line),
  });
  agent.manager.on("event", (thread, { event }) => {
    const line = describeEvent(thread.title, event);
    if (line) term.say(line);
  });
  const host = new Host({
    relay: config.relay,
    name: config.name,
    identity,
    mirror,
    threads: { manager: agent.manager, store: agent.store, git: agent.git, hooks },
    notify: config.notify,
    log,
    confirmPairing: config.acceptPairing
      ? async (p) => {
          term.say(`Pairing "${p.phoneName}" (code ${p.code}): accepted by --accept-pairing.`);
          return true;
        }
      : (p) => term.confirm(p),
  });

  term.say(`Tether host "${config.name}" on ${mirror.root}`);
  term.say(`Relay ${config.relay} · state in ${config.stateDir}`);
  try {
    const model = resolveModel({ ...modelOptions, model: agentConfig.model }, process.env);
    term.say(`Model ${model.id} · mode ${agentConfig.mode} · up to ${agentConfig.maxThreads} tasks at once`);
  } catch (err) {
    if (!(err instanceof ModelNotConfigured)) throw err;
    term.say(err.message.replace(/^No model is configured\. /, "No model is configured, so tasks fail until one is set. "));
  }
  term.say(agentsLine(agent.manager.agents));
  void agent.manager.whenWorktreesChecked().then(() => {
    const worktrees = agent.manager.worktreesProfile;
    if (!worktrees) return;
    term.say(
      worktrees.default
        ? "Worktrees: each task runs in a git worktree of its own unless it asks for the folder itself."
        : "Worktrees: a task runs in one of its own when it asks, or when another already works in the folder (--worktrees: always).",
    );
  });
  // Asked in the background: a slow or stopped model server must not hold up the relay link.
  void checkModel(() => resolveModel({ ...modelOptions, model: agentConfig.model }, process.env)).then((status) => {
    host.setModelStatus(status);
    if (status.state === "ok") term.say("Model check: the model server answered and has the model.");
    if (status.state === "error") {
      term.say(`Model check: could not use the model server${status.server ? ` at ${status.server}` : ""}: ${status.detail}`);
    }
  });
  const threads = agent.manager.list();
  const keepAwake = config.keepAwake
    ? new KeepAwake(
        nodeSleepInhibitor(),
        agent.manager,
        threads.map((t) => ({ threadId: t.id, status: t.status })),
        log,
      )
    : undefined;
  const kept = rulesCount(rulesFile);
  if (kept > 0) term.say(`${kept} rule${kept === 1 ? "" : "s"} allowed on this computer ("tether-host rules" lists them).`);
  if (threads.length > 0) term.say(`${threads.length} thread${threads.length === 1 ? "" : "s"} from earlier runs.`);
  let lastState = "";
  host.on("state", (state, detail) => {
    const line =
      state === "open"
        ? "connected to the relay"
        : state === "connecting"
          ? `connecting to the relay…${detail ? ` (${detail})` : ""}`
          : "";
    if (line && line !== lastState) term.say(line);
    lastState = line;
  });
  host.on("paired", (phone) => term.say(`Paired "${phone.name}". It can now browse ${mirror.root} and send tasks.`));
  host.on("declined", (p) => term.say(`Pairing with "${p.phoneName}" declined.`));
  host.on("pairing-failed", (message) => term.say(`Pairing failed: ${message}`));
  host.on("unpaired", (phone, by) => {
    if (by === "phone") term.say(`"${phone.name}" unpaired itself; the other phones have a new key.`);
  });
  host.on("fatal", (err) => {
    term.say(`error: ${err.message}`);
    process.exitCode = 1;
    void close();
  });

  const showPairing = (): void => {
    host.openPairing().then(
      (offer) => {
        const url = display.origin ? offer.url.replace(/^[^#]*/, display.origin + "/") : offer.url;
        return term.showPairing({ ...offer, url }, display.note?.(url));
      },
      (err: Error) => term.say(`Could not show a pairing code: ${err.message}`),
    );
  };
  term.onEnter(showPairing);
  const command = phoneCommands(host, term);
  const hooksCommand = hooksCommands(hooks, agent.manager, term);
  term.onCommand(
    (line) =>
      void hooksCommand(line.trim().toLowerCase().split(/\s+/)).then((done) => {
        if (!done) return command(line);
      }),
  );
  const project = hooks.project();
  if (project.state === "untrusted") {
    for (const line of describeProjectHooks(project)) term.say(line);
    term.say('They do not run until you trust them: type "trust hooks", or trust them on the phone.');
  }

  await host.start();
  const paired = host.phones.length;
  if (config.pair === true || (config.pair === "auto" && paired === 0)) showPairing();
  else {
    const hint = term.interactive ? ' Press Enter to pair another; type "phones" to list them, "help" for more.' : "";
    term.say(`${paired} phone${paired === 1 ? "" : "s"} paired.${hint}`);
  }

  // An exit that did not go through close() (a fatal error) still writes what is queued.
  process.once("exit", () => agent.store.flushSync());

  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= (async () => {
      if (agent.manager.busy) term.say("Stopping running tasks…");
      await agent.manager.close();
      // The interrupted runs' last events and every state file on disk before the process exits.
      await agent.store.close();
      // A phone paired just now holds its grant: its pairing must be on disk before the host goes,
      // or the host comes back not knowing it and refuses what it sent meanwhile.
      await identity.settledJoins();
      await identity.flush();
      keepAwake?.close();
      rules.close();
      host.close();
      term.close();
    })();
    return closing;
  }
  return { host, close };
}

// One thread's session with an outside agent: its process, the ACP session in it, the modes and
// options it offers, and which of its modes the host's ceiling lets a task use. It outlives a
// run, so the next message continues the same conversation; a new process loads the session
// again where the agent can (`session/load`), after the host restarted.

import * as acp from "@agentclientprotocol/sdk";
import { ErrorCode, TetherError, type AgentChoice, type AgentOption, type PolicyMode } from "#protocol";
import { AgentProcess, type ClientSide } from "./agentProcess";
import type { AgentDefinition } from "./catalog";
import { selectOptions } from "./acpShapes";

/** Names of modes that run tools without asking, for agents the catalog does not know. */
const UNASKED_NAME = /yolo|bypass|\bauto\b|full[ -_]?access|accept[ -_]?edits|dont[ -_]?ask|don't ask|never ask/i;

/** The ACP error code an agent answers with when it needs a login. */
const AUTH_REQUIRED = -32000;

/** The run serving a session now; requests that come between runs are refused. */
interface Serving {
  side: ClientSide | undefined;
}

export class AgentSession {
  private modes: acp.SessionModeState | undefined;
  private configOptions: acp.SessionConfigOption[] = [];

  private constructor(
    readonly definition: AgentDefinition,
    readonly process: AgentProcess,
    readonly sessionId: string,
    private readonly ceiling: PolicyMode,
    private readonly serving: Serving,
  ) {}

  /** The run that answers the agent's requests now. */
  set side(side: ClientSide | undefined) {
    this.serving.side = side;
  }

  /**
   * Starts the agent and opens a session in `cwd`: the one named by `resume` where the agent can
   * load it (what it replays goes to `side` while `replaying` says so), else a new one.
   * Throws `AgentLoginNeeded`, `CannotResume`, or the agent's own error.
   */
  static async open(options: {
    definition: AgentDefinition;
    cwd: string;
    ceiling: PolicyMode;
    resume: string | undefined;
    side: ClientSide;
    replaying: (on: boolean) => void;
    /** The computer's name, for what a login needs ("run `claude` once on work-laptop"). */
    hostName: string;
  }): Promise<AgentSession> {
    const { definition, cwd, resume, hostName } = options;
    const serving: Serving = { side: options.side };
    const proc = await AgentProcess.start({ definition, cwd, side: () => serving.side });
    try {
      const caps = proc.init.agentCapabilities ?? {};
      let session: AgentSession;
      if (resume !== undefined) {
        if (!caps.loadSession) throw new CannotResume(definition);
        options.replaying(true);
        try {
          const loaded = await withLogin(definition, proc, hostName, () =>
            proc.agent.request(acp.methods.agent.session.load, { sessionId: resume, cwd, mcpServers: [] }),
          );
          session = new AgentSession(definition, proc, resume, options.ceiling, serving);
          session.modes = loaded?.modes ?? undefined;
          session.configOptions = loaded?.configOptions ?? [];
        } finally {
          options.replaying(false);
        }
      } else {
        const created = await withLogin(definition, proc, hostName, () =>
          proc.agent.request(acp.methods.agent.session.new, { cwd, mcpServers: [] }),
        );
        session = new AgentSession(definition, proc, created.sessionId, options.ceiling, serving);
        session.modes = created.modes ?? undefined;
        session.configOptions = created.configOptions ?? [];
      }
      return session;
    } catch (err) {
      await proc.close();
      throw err;
    }
  }

  /** The mode the agent is in now, if it has modes. */
  get mode(): string | undefined {
    return this.modes?.currentModeId ?? this.modeOption()?.currentValue;
  }

  /** Every mode the agent has, as it names them. */
  get allModes(): AgentChoice[] {
    if (this.modes) return this.modes.availableModes.map((m) => choice(m.id, m.name, m.description));
    const option = this.modeOption();
    if (!option || option.type !== "select") return [];
    return option.options.flatMap((v) => ("options" in v ? v.options : [v])).map((v) => choice(v.value, v.name, v.description));
  }

  /**
   * The modes a task may use under the host's ceiling: all where it is full-auto; else those the
   * catalog knows ask before acting. For an agent the catalog does not know, a mode whose name
   * says it runs tools unasked (yolo, bypass, auto, full access, accept edits, don't ask) is left
   * out; the rest are offered, and the gate answers what they ask.
   */
  get allowedModes(): AgentChoice[] {
    const all = this.allModes;
    if (this.ceiling === "full-auto") return all;
    const unasked = this.definition.modes?.unasked;
    return all.filter((m) => (unasked ? !unasked.includes(m.id) : !UNASKED_NAME.test(`${m.id} ${m.name}`)));
  }

  /** The agent's select options other than its mode (the model, the effort). */
  get options(): AgentOption[] {
    return selectOptions(this.configOptions.filter((o) => o.category !== "mode" || this.modes));
  }

  /** The agent's models, where it offers a choice of them. */
  get models(): AgentChoice[] {
    return this.options.find((o) => o.category === "model")?.values ?? [];
  }

  /** The mode a new task starts in: the one asked for when the ceiling allows it, else the one that asks. */
  startingMode(requested: string | undefined): string | undefined {
    const allowed = this.allowedModes;
    if (requested !== undefined) {
      if (!allowed.some((m) => m.id === requested)) {
        throw new TetherError(
          ErrorCode.Forbidden,
          `${this.definition.name}'s mode "${requested}" runs tools without asking, which this computer allows only in full-auto.`,
        );
      }
      return requested;
    }
    const asking = this.definition.modes?.asking ?? ["default", "ask"].find((id) => allowed.some((m) => m.id === id));
    if (asking && allowed.some((m) => m.id === asking)) return asking;
    if (allowed.some((m) => m.id === this.mode)) return this.mode;
    return allowed[0]?.id ?? this.mode;
  }

  /** Switches the agent's mode, within the ceiling. */
  async setMode(mode: string): Promise<void> {
    if (!this.allowedModes.some((m) => m.id === mode)) {
      throw new TetherError(
        ErrorCode.Forbidden,
        `${this.definition.name} cannot switch to "${mode}" here: it is not one of its modes this computer allows.`,
      );
    }
    if (mode === this.mode) return;
    if (this.modes) {
      await this.process.agent.request(acp.methods.agent.session.setMode, { sessionId: this.sessionId, modeId: mode });
      this.modes = { ...this.modes, currentModeId: mode };
      return;
    }
    const option = this.modeOption();
    if (!option) throw new TetherError(ErrorCode.BadRequest, `${this.definition.name} has no modes.`);
    await this.setOption(option.id, mode, true);
  }

  /** Sets one of the agent's select options (not its mode: that goes through `setMode`). */
  async setOption(id: string, value: string, isMode = false): Promise<void> {
    const option = this.configOptions.find((o) => o.id === id);
    if (!option || option.type !== "select")
      throw new TetherError(ErrorCode.NotFound, `${this.definition.name} has no option "${id}".`);
    if (option.category === "mode" && !isMode) return this.setMode(value);
    const values = option.options.flatMap((v) => ("options" in v ? v.options : [v]));
    if (!values.some((v) => v.value === value)) {
      throw new TetherError(ErrorCode.BadRequest, `"${value}" is not one of ${option.name}'s values.`);
    }
    const answer = await this.process.agent.request(acp.methods.agent.session.setConfigOption, {
      sessionId: this.sessionId,
      configId: id,
      value,
    });
    this.configOptions = answer.configOptions ?? this.configOptions.map((o) => (o.id === id ? { ...o, currentValue: value } : o));
  }

  /** The agent's own news of its options (`config_option_update`), kept so a switch checks against it. */
  optionsChanged(options: acp.SessionConfigOption[]): void {
    this.configOptions = options;
  }

  /** The agent's own news of its mode (`current_mode_update`). */
  modeChanged(mode: string): void {
    if (this.modes) this.modes = { ...this.modes, currentModeId: mode };
  }

  prompt(text: string): Promise<acp.PromptResponse> {
    return this.process.agent.request(acp.methods.agent.session.prompt, {
      sessionId: this.sessionId,
      prompt: [{ type: "text", text }],
    });
  }

  cancel(): void {
    void this.process.agent.notify(acp.methods.agent.session.cancel, { sessionId: this.sessionId }).catch(() => undefined);
  }

  close(): Promise<void> {
    return this.process.close();
  }

  private modeOption(): Extract<acp.SessionConfigOption, { type: "select" }> | undefined {
    const option = this.configOptions.find((o) => o.category === "mode");
    return option?.type === "select" ? option : undefined;
  }
}

/** The agent answered that it needs a login: how to give it one, in its words and Tether's. */
export class AgentLoginNeeded extends Error {
  constructor(definition: AgentDefinition, methods: readonly acp.AuthMethod[], host: string) {
    const how = methods.map((m) => m.name + (m.description ? ` (${m.description})` : "")).join("; ");
    super(
      `${definition.name} needs a login on ${host}.` +
        (definition.login ? ` On that computer, ${definition.login}.` : "") +
        (how ? ` It offers: ${how}.` : ""),
    );
    this.name = "AgentLoginNeeded";
  }
}

/** The agent cannot load an earlier session, so the thread cannot go on in it. */
export class CannotResume extends Error {
  constructor(definition: AgentDefinition) {
    super(
      `${definition.name} cannot load an earlier session, so this thread cannot continue after the host restarted. ` +
        "Start a new task (Retry) to go on with the same request.",
    );
    this.name = "CannotResume";
  }
}

/** Runs a session request; an "auth required" answer becomes `AgentLoginNeeded`. */
async function withLogin<T>(
  definition: AgentDefinition,
  proc: AgentProcess,
  hostName: string,
  request: () => Promise<T>,
): Promise<T> {
  try {
    return await request();
  } catch (err) {
    if (err instanceof acp.RequestError && err.code === AUTH_REQUIRED) {
      throw new AgentLoginNeeded(definition, proc.init.authMethods ?? [], hostName);
    }
    throw err;
  }
}

function choice(id: string, name: string, description?: string | null): AgentChoice {
  return {
    id: id.slice(0, 200),
    name: name.slice(0, 200),
    ...(description ? { description: description.slice(0, 500) } : {}),
  };
}

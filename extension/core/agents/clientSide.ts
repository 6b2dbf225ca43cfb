// What Tether answers an outside agent while it runs a thread's turn: its permission requests go
// through Tether's gate (the policy judges first, a person decides the rest), its file reads and
// writes go through the workspace's rules and the thread's checkpoint, and its terminals run
// through the host's process runner with their output live on the phone. Nothing the agent asks
// is taken on its word: options are matched by kind, paths are checked, commands parsed.

import { isAbsolute, relative, resolve, sep } from "node:path";
import * as acp from "@agentclientprotocol/sdk";
import { ErrorCode, TetherError, type LiveEvent } from "#protocol";
import type { AgentWorkspace } from "../agent/tools/workspace";
import { screenForModel } from "../secrets/screenForModel";
import type { ApprovalGate, Gated } from "../threads/approvalGate";
import { applyEdit } from "../threads/applyEdit";
import type { Thread } from "../threads/thread";
import type { ThreadStore } from "../threads/threadStore";
import type { ClientSide } from "./agentProcess";
import type { AgentEdits } from "./agentEdits";
import { AgentTerminals } from "./agentTerminals";
import { chooseOption, editOf, isEditKind, knownOptions, reasonOf, Tally, toolCwd } from "./permissionRequest";
import { quote, toolCommand } from "./toolInput";
import type { UpdateRecorder } from "./updates";

export interface SideDeps {
  thread: Thread;
  store: ThreadStore;
  workspace: AgentWorkspace;
  gate: ApprovalGate;
  recorder: UpdateRecorder;
  live: (event: LiveEvent) => void;
  /** The run's signal: a stop ends every wait, kills every terminal. */
  signal: AbortSignal;
  /** The run was stopped by a person's "stop" on a request: the caller cancels the turn. */
  stopped: () => void;
  /** Every update, after the recorder: the session keeps its mode and options from them. */
  sessionUpdate: (update: acp.SessionUpdate) => void;
  /** Keeps what files were before an edit the agent makes itself, for the thread's record and Revert. */
  edits: AgentEdits;
}

export class RunSide implements ClientSide {
  private readonly terminals: AgentTerminals;
  /**
   * Edits a person approved on the agent's permission request, by file: the content they saw.
   * A write of exactly that content needs no second ask; any other content is asked about.
   */
  private readonly approvedWrites = new Map<string, string[]>();
  /** Command lines a person approved on a permission request: the terminal that runs one needs no second ask. */
  private readonly approvedCommands = new Tally();

  constructor(private readonly deps: SideDeps) {
    this.terminals = new AgentTerminals(deps);
  }

  update(params: acp.SessionNotification): void {
    this.deps.recorder.update(params.update);
    this.deps.sessionUpdate(params.update);
    this.terminals.showPending();
  }

  async requestPermission(params: acp.RequestPermissionRequest, signal: AbortSignal): Promise<acp.RequestPermissionResponse> {
    const { recorder, gate, workspace } = this.deps;
    const call = recorder.ensureCall(params.toolCall);
    const options = knownOptions(params.options);
    const callId = call.toolCallId;
    const tool = call.kind ?? "other";
    const title = call.title ?? "a tool call";
    const reason = reasonOf(call);
    let gated: Gated;
    try {
      const command = toolCommand(call.rawInput, call.kind ?? undefined);
      const edit = editOf(call, workspace.root);
      if (command !== undefined) {
        const cwd = toolCwd(call.rawInput, workspace.root);
        if (cwd === undefined) {
          gated = await gate.other({
            callId,
            tool,
            reason,
            options,
            title: command,
            kind: "command outside the workspace",
            allowed: false,
          });
        } else {
          gated = await gate.command({ callId, tool, reason, options, command, cwd: cwd.rel, absCwd: cwd.abs });
          if (gated.go) this.approvedCommands.add(command.trim());
        }
      } else if (edit) {
        gated = await gate.edit({ callId, tool, reason, options, path: edit.path, before: edit.before, after: edit.after });
        if (gated.go) {
          this.approvedWrites.set(edit.path, [...(this.approvedWrites.get(edit.path) ?? []), edit.after]);
          await this.deps.edits.before(callId, [edit.path]);
        }
      } else {
        const allowed = await this.onlyReadsWorkspace(call);
        // Gemini CLI sends a command with no input, only its words in the title: ask, deny rules first.
        const shownCommand = call.kind === "execute" ? { command: title, absCwd: workspace.root } : undefined;
        gated = await gate.other({
          callId,
          tool,
          reason,
          options,
          title,
          kind: call.kind ?? "other",
          allowed,
          ...(shownCommand ? { shownCommand } : {}),
        });
        // An edit that shows no diff (Codex names only its files): what they were is kept all the same.
        if (gated.go && isEditKind(call.kind)) await this.deps.edits.before(callId, this.insidePaths(call));
      }
      // An agent that offers no "allow once" would take Tether's allow as "always" and stop asking:
      // what Tether would let through on its own goes to a person instead, unless all may run.
      if (gated.go && !gated.asked && !options.some((o) => o.kind === "allow_once") && gate.mode !== "full-auto") {
        gated = await gate.other({
          callId,
          tool,
          reason,
          options,
          title: toolCommand(call.rawInput, call.kind ?? undefined) ?? title,
          kind: call.kind ?? "other",
          allowed: false,
          why: "The agent offers only to allow this from now on, not once, so it needs your OK.",
        });
      }
    } catch (err) {
      if (signal.aborted || this.deps.signal.aborted || (err instanceof Error && err.name === "AbortError")) {
        if (!this.deps.signal.aborted) this.deps.stopped();
        return { outcome: { outcome: "cancelled" } };
      }
      throw err;
    }
    return { outcome: chooseOption(options, gated) };
  }

  async readTextFile(params: acp.ReadTextFileRequest): Promise<acp.ReadTextFileResponse> {
    const rel = this.inside(params.path, "read");
    // A file that is not there reads as empty: Gemini CLI cannot create a file after a not-found
    // error (its ACP layer loses it), and an empty answer tells every agent the same.
    const text = await this.deps.workspace.readText(rel).catch((err: unknown) => {
      if (err instanceof TetherError && err.code === ErrorCode.NotFound) return "";
      return rethrow(err);
    });
    const line = params.line ?? undefined;
    const limit = params.limit ?? undefined;
    if (line === undefined && limit === undefined) return { content: await this.screened(text, rel, 1) };
    const lines = text.split("\n");
    const start = Math.max(0, (line ?? 1) - 1);
    const end = limit === undefined ? lines.length : start + Math.max(0, limit);
    return { content: await this.screened(lines.slice(start, end).join("\n"), rel, start + 1) };
  }

  /**
   * What the agent is given of a file it reads through Tether, with its secrets redacted (it
   * passes them on to its model); the thread says what was taken out. `firstLine`: the file's
   * line the text starts at, so the note names the file's own lines.
   */
  private async screened(text: string, rel: string, firstLine: number): Promise<string> {
    const screened = await screenForModel(text, rel, firstLine);
    // Said as the status the thread is in (an agent may read while a request waits on a person).
    if (screened.note) this.deps.thread.setStatus(this.deps.thread.status, screened.note);
    return screened.output;
  }

  async writeTextFile(params: acp.WriteTextFileRequest): Promise<acp.WriteTextFileResponse> {
    const { workspace, gate, thread, store } = this.deps;
    const rel = this.inside(params.path, "write");
    const target = await workspace.resolveWrite(rel).catch(rethrow);
    const before = target.exists ? await workspace.readText(target.rel).catch(rethrow) : null;
    const approved = this.approvedWrites.get(target.rel) ?? [];
    const match = approved.indexOf(params.content);
    if (match >= 0) {
      approved.splice(match, 1);
      if (approved.length === 0) this.approvedWrites.delete(target.rel);
    } else {
      const gated = await gate
        .edit({
          callId: `write-${target.rel}`,
          tool: "fs/write_text_file",
          reason: "",
          path: target.rel,
          before,
          after: params.content,
        })
        .catch((err: unknown) => {
          if (err instanceof Error && err.name === "AbortError") this.deps.stopped();
          throw acp.RequestError.internalError(undefined, "The run was stopped.");
        });
      if (!gated.go) throw new acp.RequestError(-32000, gated.output);
    }
    const result = await applyEdit({ workspace, store, thread }, { path: target.rel, before, after: params.content });
    if (!result.ok) throw new acp.RequestError(-32000, result.output);
    return {};
  }

  async createTerminal(params: acp.CreateTerminalRequest): Promise<acp.CreateTerminalResponse> {
    const { workspace, gate, signal } = this.deps;
    const line = [params.command, ...(params.args ?? []).map(quote)].join(" ");
    const cwd = toolCwd({ cwd: params.cwd ?? undefined }, workspace.root);
    if (!cwd) throw new acp.RequestError(-32000, "Tether runs commands only inside the workspace.");
    if (signal.aborted) throw acp.RequestError.internalError(undefined, "The run was stopped.");
    const terminalId = this.terminals.nextId();
    if (!this.approvedCommands.take(line.trim())) {
      const gated = await gate
        .command({ callId: terminalId, tool: "terminal/create", reason: "", command: line, cwd: cwd.rel, absCwd: cwd.abs })
        .catch((err: unknown) => {
          if (err instanceof Error && err.name === "AbortError") this.deps.stopped();
          throw acp.RequestError.internalError(undefined, "The run was stopped.");
        });
      if (!gated.go) throw new acp.RequestError(-32000, gated.output);
    }
    this.terminals.create(terminalId, line, cwd.rel, params);
    return { terminalId };
  }

  async terminalOutput(params: acp.TerminalOutputRequest): Promise<acp.TerminalOutputResponse> {
    return this.terminals.output(params.terminalId);
  }

  async waitForTerminalExit(params: acp.WaitForTerminalExitRequest): Promise<acp.WaitForTerminalExitResponse> {
    return this.terminals.waitForExit(params.terminalId);
  }

  async killTerminal(params: acp.KillTerminalRequest): Promise<acp.KillTerminalResponse> {
    this.terminals.kill(params.terminalId);
    return {};
  }

  async releaseTerminal(params: acp.ReleaseTerminalRequest): Promise<acp.ReleaseTerminalResponse> {
    this.terminals.release(params.terminalId);
    return {};
  }

  /** Kills every terminal still running (the run ended) and waits for them to end. */
  close(): Promise<void> {
    return this.terminals.close();
  }

  /** The workspace-relative path of an absolute path inside the workspace; refuses the rest. */
  private inside(path: string, what: "read" | "write"): string {
    const { root } = this.deps.workspace;
    const abs = isAbsolute(path) ? path : resolve(root, path);
    const rel = relative(root, abs);
    if (rel.startsWith("..") || isAbsolute(rel)) {
      throw new acp.RequestError(-32000, `Tether lets an agent ${what} files only inside the workspace (${root}).`);
    }
    return rel.split(sep).join("/");
  }

  /** The workspace-relative paths of the places the call names that are inside the workspace. */
  private insidePaths(call: acp.ToolCallUpdate): string[] {
    const { root } = this.deps.workspace;
    return (call.locations ?? []).flatMap((l) => {
      const rel = relative(root, isAbsolute(l.path) ? l.path : resolve(root, l.path));
      return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? [] : [rel.split(sep).join("/")];
    });
  }

  /**
   * The call only looks (a read, a search, a thought) at places Tether itself would let the agent
   * read: inside the workspace, no secret, not `.git/`, no link that leads out. A read that names
   * no file could be of anything, so it is not taken as one.
   */
  private async onlyReadsWorkspace(call: acp.ToolCallUpdate): Promise<boolean> {
    if (call.kind !== "read" && call.kind !== "search" && call.kind !== "think") return false;
    const { workspace } = this.deps;
    const paths = (call.locations ?? []).map((l) => l.path);
    if (call.kind === "read" && paths.length === 0) return false;
    for (const p of paths) {
      const rel = relative(workspace.root, isAbsolute(p) ? p : resolve(workspace.root, p));
      if (rel.startsWith("..") || isAbsolute(rel)) return false;
      const readable = await workspace.resolveRead(rel.split(sep).join("/") || ".").then(
        () => true,
        () => false,
      );
      if (!readable) return false;
    }
    return true;
  }
}

/** A workspace refusal (outside, secret, too large) as an error the agent reads. */
function rethrow(err: unknown): never {
  if (err instanceof TetherError) throw new acp.RequestError(-32000, err.message);
  throw err;
}

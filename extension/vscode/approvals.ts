// Approvals in the editor: a notification with Approve / Always for this task / Deny / More… when
// the agent asks (More…, and "Tether: Show Pending Approvals", decide from a list of every choice). Decisions go through the same
// thread manager as the phone's, so the first one wins wherever it was made; a late click is
// answered with who decided.

import * as vscode from "vscode";
import {
  askReason,
  computerRuleNote,
  decidedWords,
  TetherError,
  type Command,
  type Decision,
  type DeviceRef,
  type ThreadEvent,
} from "#protocol";
import type { Thread } from "../core/threads/thread";
import type { ThreadManager } from "../core/threads/threadManager";
import type { NumberedEvent } from "../core/threads/threadStore";
import { approveChoices, denyChoices, type EditorChoice } from "./approvalChoices";
import type { HostSession } from "./hostSession";

type Requested = Extract<ThreadEvent, { type: "approval-requested" }>;

/** The notification's last button: every choice, and the task, in a list. */
const MORE = "More…";

/** One line for a request: the command, or the file an edit touches. */
export function requestTitle(request: Pick<Requested, "kind" | "command" | "path">): string {
  return request.kind === "command" ? `Run \`${request.command ?? ""}\`?` : `Edit ${request.path ?? "a file"}?`;
}

export class Approvals implements vscode.Disposable {
  private manager: ThreadManager | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the set of pending approvals may have changed. */
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private readonly onEvent = (thread: Thread, { event }: NumberedEvent): void => {
    if (event.type === "approval-requested") void this.ask(thread, event);
    // The editor cannot take back a notification it showed: say in the status bar that this one
    // is settled, so a glance tells that its buttons have nothing left to do.
    if (event.type === "approval-resolved" && event.by.id !== this.self().id)
      vscode.window.setStatusBarMessage(
        `$(check) Tether: ${decidedWords(event.decision).toLowerCase()} on ${event.by.name}: ${thread.title}`,
        10_000,
      );
    if (event.type === "approval-requested" || event.type === "approval-resolved" || event.type === "status") this.changed.fire();
  };

  constructor(
    session: HostSession,
    private readonly self: () => DeviceRef,
  ) {
    this.subscription = session.onDidStart(({ agent }) => {
      this.manager?.off("event", this.onEvent);
      this.manager = agent.manager;
      this.manager.on("event", this.onEvent);
      this.changed.fire();
    });
  }

  /** The request behind a pending approval, for its words and choices. */
  private request(thread: Thread, approvalId: string): Requested | undefined {
    for (const { event } of thread.events) {
      if (event.type === "approval-requested" && event.approvalId === approvalId) return event;
    }
    return undefined;
  }

  /** Every approval waiting, oldest first, with its thread. */
  pending(): { thread: Thread; approvalId: string; title: string }[] {
    if (!this.manager) return [];
    return this.manager
      .list()
      .flatMap((thread) =>
        this.manager!.summary(thread).pending.map((p) => ({ thread, approvalId: p.approvalId, title: p.title })),
      );
  }

  /** "Tether: Show Pending Approvals": pick one, then decide. */
  async showPending(): Promise<void> {
    const pending = this.pending();
    if (pending.length === 0) {
      void vscode.window.showInformationMessage("Tether: nothing is waiting for approval.");
      return;
    }
    const picked = await vscode.window.showQuickPick(
      pending.map((p) => ({ label: p.title, description: p.thread.title, p })),
      { title: "Tether: approvals waiting", placeHolder: "Pick one to decide" },
    );
    if (!picked) return;
    const request = this.request(picked.p.thread, picked.p.approvalId);
    if (!request) return;
    await this.decideFromList(picked.p.thread, request, picked.label);
  }

  /** Every choice on `request` in the card's full words (and the agent's), then Show; decides the one picked. */
  private async decideFromList(thread: Thread, request: Requested, title: string): Promise<void> {
    const icons: Record<Decision, string> = {
      approve: "$(check)",
      "approve-always": "$(check-all)",
      "approve-on-computer": "$(pass-filled)",
      deny: "$(close)",
      stop: "$(debug-stop)",
    };
    const stop: EditorChoice = { decision: "stop", short: "Stop", full: "Stop the run" };
    const choices = [...approveChoices(request), ...denyChoices(request), stop];
    const items: (vscode.QuickPickItem & { choice?: EditorChoice })[] = [
      ...choices.map((choice) => ({
        label: `${icons[choice.decision]} ${choice.full}`,
        // An outside agent's own words for the option this answers with.
        ...(choice.agentWords ? { description: `${request.tool}: ${choice.agentWords}` } : {}),
        ...(choice.decision === "approve-on-computer" && request.computerRule
          ? { detail: computerRuleNote(request.computerRule) }
          : {}),
        choice,
      })),
      { label: "$(go-to-file) Show the task" },
    ];
    const decided = await vscode.window.showQuickPick(items, { title, placeHolder: askReason(request) });
    if (!decided) return;
    if (decided.choice) await this.decide(thread.id, request.approvalId, decided.choice);
    else await vscode.commands.executeCommand("tether.thread.open", thread.id);
  }

  private async ask(thread: Thread, request: Requested): Promise<void> {
    const detail = [
      askReason(request),
      request.reason,
      request.kind === "command" ? `in ${request.cwd ?? "."}` : "",
      request.computerRule ? `"Always on this computer": ${computerRuleNote(request.computerRule)}` : "",
    ]
      .filter(Boolean)
      .join("\n");
    // Few buttons in short words: VS Code cuts a toast's buttons to a few letters once they do not
    // fit its width. The rest of the card's choices are one click further, under More….
    const [approve, always] = approveChoices(request);
    const [deny] = denyChoices(request);
    const choices = [approve!, always!, deny!];
    const picked = await vscode.window.showWarningMessage(
      // A toast shows no `detail`: why it asks goes in the message itself.
      `Tether (${thread.title}): ${requestTitle(request)} ${askReason(request)}`,
      { detail },
      ...choices.map((c) => c.short),
      MORE,
    );
    const choice = choices.find((c) => c.short === picked);
    if (choice?.decision === "deny") {
      const message = await vscode.window.showInputBox({ title: "Tell the agent why (optional)", ignoreFocusOut: true });
      if (message !== undefined) await this.decide(thread.id, request.approvalId, choice, message || undefined);
    } else if (choice) await this.decide(thread.id, request.approvalId, choice);
    else if (picked === MORE) await this.decideFromList(thread, request, `${thread.title}: ${requestTitle(request)}`);
  }

  private async decide(threadId: string, approvalId: string, choice: EditorChoice, message?: string): Promise<void> {
    const command: Command = {
      type: "decide",
      threadId,
      approvalId,
      decision: choice.decision,
      ...(choice.optionId !== undefined ? { optionId: choice.optionId } : {}),
      ...(message ? { message } : {}),
    };
    try {
      await this.manager?.handle(command, this.self());
    } catch (err) {
      // "Already decided by Pixel 8 (approve)": the phone was quicker.
      void vscode.window.showInformationMessage(`Tether: ${err instanceof TetherError ? err.message : (err as Error).message}`);
    }
  }

  dispose(): void {
    this.manager?.off("event", this.onEvent);
    this.subscription.dispose();
    this.changed.dispose();
  }
}

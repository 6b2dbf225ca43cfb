// Hooks in the editor: the user's own list (`tether.hooks`, machine scope, read from the user's
// settings whenever hooks run, never a workspace's), and the project's `.tether/hooks.json`,
// which runs only once trusted. The editor asks for that trust with a notification showing what
// it would run: Trust (exactly the content shown), Show File, or nothing (it asks again next start).

import * as vscode from "vscode";
import { HookConfigError, parseHooks, type HookSpec } from "../core/hooks/hookConfig";
import { HookTrustFile } from "../core/hooks/hookTrust";
import { Hooks } from "../core/hooks/hooks";
import { PROJECT_HOOKS_FILE, ProjectHooks, type ProjectHooksState } from "../core/hooks/projectHooks";
import type { Log } from "../core/log";
import type { ThreadManager } from "../core/threads/threadManager";
import { userValue } from "./settings";

/** The user's `tether.hooks`; throws `HookConfigError` when it is not a hooks list. */
export function readEditorHooks(config = vscode.workspace.getConfiguration("tether")): HookSpec[] {
  const value = userValue<unknown>(config, "hooks", []);
  try {
    return parseHooks(Array.isArray(value) ? { hooks: value } : value, "user");
  } catch (err) {
    throw new HookConfigError(`the setting tether.hooks: ${(err as Error).message}`);
  }
}

/** The host's hooks for the workspace at `root`, trust kept in `stateDir`. */
export function editorHooks(root: string, stateDir: string, log: Log): Hooks {
  return new Hooks({ user: () => readEditorHooks(), project: new ProjectHooks(root, new HookTrustFile(stateDir)), log });
}

/**
 * Asks the person to trust the project's hooks now (if untrusted) and whenever the file changes
 * to an untrusted content; returns the way to stop.
 */
export function askToTrustHooks(hooks: Hooks, manager: ThreadManager, root: string): () => void {
  let asked = "";
  const ask = (state: ProjectHooksState): void => {
    if (state.state !== "untrusted" || state.hash === asked) return;
    asked = state.hash;
    void offer(state, manager, root);
  };
  ask(hooks.project());
  return hooks.onProjectChange(ask);
}

async function offer(
  state: Extract<ProjectHooksState, { state: "untrusted" }>,
  manager: ThreadManager,
  root: string,
): Promise<void> {
  // A notification shows its message only (a detail shows in modal dialogs alone): the commands go in it.
  const shown = state.hooks.slice(0, 3).map((h) => `${h.event}: ${clip(h.command)}`);
  if (state.hooks.length > 3) shown.push(`${state.hooks.length - 3} more (Show File)`);
  const what = state.changed ? "changed since you trusted them" : "not trusted yet";
  const runs = state.error ? state.error : `They would run with your rights: ${shown.join("; ")}.`;
  const choices = state.error ? ["Show File"] : ["Trust", "Show File"];
  const pick = await vscode.window.showWarningMessage(
    `Tether: this project's hooks (${PROJECT_HOOKS_FILE}) are ${what}, so they do not run. ${runs}`,
    ...choices,
  );
  if (pick === "Show File") {
    await vscode.window.showTextDocument(vscode.Uri.joinPath(vscode.Uri.file(root), PROJECT_HOOKS_FILE));
    // Asked again beside the file, for the content that was shown.
    return offer(state, manager, root);
  }
  if (pick !== "Trust") return;
  try {
    manager.trustHooks(state.hash, { id: "editor", name: "the editor" });
    void vscode.window.showInformationMessage("Tether: the project's hooks are trusted; they run until the file changes.");
  } catch (err) {
    void vscode.window.showErrorMessage(`Tether: ${(err as Error).message}`);
  }
}

function clip(command: string): string {
  const line = command.replace(/\s+/g, " ");
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

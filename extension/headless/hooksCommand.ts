// The headless host's typed commands for the project's hooks: `hooks` shows what the project's
// `.tether/hooks.json` would run and whether it is trusted; `trust hooks` shows it and asks,
// then trusts exactly the content that was shown (a file changed meanwhile is not trusted).

import { TetherError } from "#protocol";
import type { Hooks } from "../core/hooks/hooks";
import { PROJECT_HOOKS_FILE, type ProjectHooksState } from "../core/hooks/projectHooks";
import type { ThreadManager } from "../core/threads/threadManager";
import type { Terminal } from "./terminal";

export const HOOKS_COMMANDS_HELP = `  hooks                    show the project's hooks (${PROJECT_HOOKS_FILE}) and whether they are trusted
  trust hooks              trust them, after seeing what they run`;

/** One line per hook, as the phone's card shows them. */
export function describeProjectHooks(state: ProjectHooksState): string[] {
  if (state.state === "none") return [`This project has no hooks (${PROJECT_HOOKS_FILE}).`];
  const head =
    state.state === "trusted"
      ? `This project's hooks (${PROJECT_HOOKS_FILE}) are trusted and run:`
      : `This project's hooks (${PROJECT_HOOKS_FILE}) are ${state.changed ? "changed since you trusted them" : "not trusted yet"}; they would run:`;
  const lines = state.hooks.map((h) => `  ${h.event}${h.matcher ? ` [${h.matcher}]` : ""}: ${h.command} (${h.timeoutS} s)`);
  if (state.state === "untrusted" && state.error) lines.push(`  ${state.error}`);
  return [head, ...lines];
}

export function hooksCommands(hooks: Hooks, manager: ThreadManager, term: Terminal): (words: string[]) => Promise<boolean> {
  const trust = async (): Promise<void> => {
    const state = hooks.project();
    for (const line of describeProjectHooks(state)) term.say(line);
    if (state.state !== "untrusted") return;
    if (state.error) {
      term.say("Fix the file first: a hooks file that cannot be read cannot be trusted.");
      return;
    }
    if (!(await term.ask("Trust these hooks? They run with your rights whenever the agent works here."))) {
      term.say("Not trusted.");
      return;
    }
    try {
      manager.trustHooks(state.hash, { id: "host", name: "this terminal" });
      term.say("Trusted. They run from the next tool call on, until the file changes.");
    } catch (err) {
      term.say(err instanceof TetherError ? err.message : `Could not trust them: ${(err as Error).message}`);
    }
  };
  return async ([word = "", next = ""]) => {
    if (word === "hooks" && next === "") {
      for (const line of describeProjectHooks(hooks.project())) term.say(line);
      return true;
    }
    if (word === "trust" && next === "hooks") {
      await trust();
      return true;
    }
    return false;
  };
}

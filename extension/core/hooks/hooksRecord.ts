// The project hooks' state as the host publishes it to its phones (`hooks` record): enough for a
// person to see what would run before they trust it, and the hash of the content they saw.

import type { ProjectHooksRecord } from "#protocol/hooks";
import { PROJECT_HOOKS_FILE, type ProjectHooksState } from "./projectHooks";

export function hooksRecord(state: ProjectHooksState): ProjectHooksRecord {
  if (state.state === "none") return { state: "none" };
  if (state.state === "trusted") return { state: "trusted", hash: state.hash, file: PROJECT_HOOKS_FILE };
  return {
    state: "untrusted",
    hash: state.hash,
    file: PROJECT_HOOKS_FILE,
    changed: state.changed,
    hooks: state.hooks.map((h) => ({
      event: h.event,
      ...(h.matcher !== undefined ? { matcher: h.matcher } : {}),
      command: h.command,
      timeout: h.timeoutS,
    })),
    ...(state.error !== undefined ? { error: state.error.slice(0, 1000) } : {}),
  };
}

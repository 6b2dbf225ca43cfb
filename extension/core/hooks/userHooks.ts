// The user's own hooks from a file (the headless host's `--hooks FILE`, or `hooks.json` in its
// state directory), read each time hooks are about to run, so an edit applies without a restart.

import { readFileSync } from "node:fs";
import { parseHooksText, type HookSpec } from "./hookConfig";

/**
 * The hooks `path` lists: none when it does not exist; throws `HookConfigError` when it cannot
 * be read as a hooks list (the gate then asks about every call, saying so).
 */
export function readUserHooks(path: string): HookSpec[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  return parseHooksText(text, "user", path);
}

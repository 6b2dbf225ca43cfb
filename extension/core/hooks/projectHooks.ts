// A project's own hooks, `.tether/hooks.json` in the workspace. Anyone who can push to the
// repository can write that file, so its hooks run only once the person trusted its exact
// content, on the phone or in the editor; any change makes it untrusted again. The file is read
// afresh whenever hooks are about to run, so a change is noticed before the next hook would run.

import { readFileSync, unwatchFile, watchFile } from "node:fs";
import { join } from "node:path";
import { parseHooksText, type HookSpec } from "./hookConfig";
import { sha256Hex, type HookTrust } from "./hookTrust";

export const PROJECT_HOOKS_FILE = ".tether/hooks.json";

/** What the workspace's hooks file is, as far as running its hooks goes. */
export type ProjectHooksState =
  | { state: "none" }
  | { state: "trusted"; hash: string; hooks: HookSpec[] }
  /**
   * Not trusted: never trusted (`changed` false) or changed since it was (`changed` true).
   * `hooks` is what it lists, to show the person; `error` when it cannot be read.
   */
  | { state: "untrusted"; hash: string; changed: boolean; hooks: HookSpec[]; error?: string };

export class ProjectHooks {
  constructor(
    /** The workspace folder, absolute. */
    readonly root: string,
    private readonly trustStore: HookTrust,
  ) {}

  read(): ProjectHooksState {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(this.root, PROJECT_HOOKS_FILE));
    } catch {
      return { state: "none" };
    }
    const hash = sha256Hex(bytes);
    const trusted = this.trustStore.trusted(this.root);
    let hooks: HookSpec[] = [];
    let error: string | undefined;
    try {
      hooks = parseHooksText(bytes.toString("utf8"), "project", PROJECT_HOOKS_FILE);
    } catch (err) {
      error = (err as Error).message;
    }
    if (trusted === hash && error === undefined) return { state: "trusted", hash, hooks };
    return { state: "untrusted", hash, changed: trusted !== undefined, hooks, ...(error !== undefined ? { error } : {}) };
  }

  /** Calls `onChange` when the file may have changed (appeared, changed, gone); returns the way to stop. */
  watch(onChange: () => void, intervalMs = 1000): () => void {
    const path = join(this.root, PROJECT_HOOKS_FILE);
    const listener = (): void => onChange();
    watchFile(path, { interval: intervalMs, persistent: false }, listener);
    return () => unwatchFile(path, listener);
  }

  /**
   * Trusts the file if it still has the content the person saw (`hash`); false when it changed
   * meanwhile, is gone, or cannot be read (nothing is trusted then).
   */
  trust(hash: string): boolean {
    const now = this.read();
    if (now.state !== "untrusted" || now.hash !== hash || now.error !== undefined) {
      return now.state === "trusted" && now.hash === hash;
    }
    this.trustStore.trust(this.root, hash);
    return true;
  }
}

// Hooks for tests: real sh scripts in a folder of their own, and the host's hooks over them.

import { chmodSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { HookConfigError, type HookSpec } from "../../extension/core/hooks/hookConfig";
import { HookTrustFile } from "../../extension/core/hooks/hookTrust";
import { Hooks } from "../../extension/core/hooks/hooks";
import { PROJECT_HOOKS_FILE, ProjectHooks } from "../../extension/core/hooks/projectHooks";
import { quietLog } from "./host";

/** A folder for hook scripts and what they leave behind. */
export function hookFolder(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), "tether-hooks-")));
}

/** Writes an executable sh script `name` into `dir` and returns the command that runs it. */
export function script(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return `sh '${path}'`;
}

/** A user hook. */
export function userHook(event: HookSpec["event"], command: string, extra: Partial<HookSpec> = {}): HookSpec {
  return { event, command, timeoutS: 60, source: "user", ...extra };
}

/**
 * The host's hooks: `user` (changeable by the test; `breakWith` makes reading it fail as a broken
 * settings file would), and the project's in `workspace` trusted in `stateDir`.
 */
export function testHooks(
  workspace: string,
  stateDir: string,
  user: HookSpec[] = [],
): { hooks: Hooks; user: HookSpec[]; breakWith: (problem: string | undefined) => void } {
  let broken: string | undefined;
  const hooks = new Hooks({
    user: () => {
      if (broken !== undefined) throw new HookConfigError(broken);
      return user;
    },
    project: new ProjectHooks(realpathSync(workspace), new HookTrustFile(stateDir)),
    log: quietLog,
  });
  return { hooks, user, breakWith: (problem) => (broken = problem) };
}

/** Writes the project's hooks file in `workspace`. */
export function writeProjectHooks(workspace: string, value: unknown): void {
  const path = join(workspace, PROJECT_HOOKS_FILE);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 2));
}

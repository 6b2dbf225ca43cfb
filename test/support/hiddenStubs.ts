// Stand-in programs that leave a mark when a real shell runs them: the tests of the gate's
// fail-closed rules first show that bash or dash really runs the hidden program of a line.

import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type Shell = "bash" | "dash";

export interface HiddenStubs {
  /** Runs `line` with `shell -c` in the stubs' folder, the stubs first on PATH; true when one of them ran. */
  runsHidden(shell: Shell, line: string): boolean;
  remove(): void;
}

/** A folder with a `bin/` of the named stubs, each appending to one marker file when run. */
export function hiddenStubs(names: readonly string[]): HiddenStubs {
  const dir = mkdtempSync(join(tmpdir(), "tether-hidden-"));
  const marker = join(dir, "marker");
  mkdirSync(join(dir, "bin"));
  for (const name of names) {
    writeFileSync(join(dir, "bin", name), `#!/bin/sh\necho ran >> "${marker}"\n`);
    chmodSync(join(dir, "bin", name), 0o755);
  }
  return {
    runsHidden(shell, line) {
      rmSync(marker, { force: true });
      const env = { PATH: `${join(dir, "bin")}:/usr/bin:/bin`, HOME: dir };
      spawnSync(shell, ["-c", line], { cwd: dir, env, stdio: "ignore", timeout: 10_000 });
      return existsSync(marker);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

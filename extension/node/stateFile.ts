// The headless host's state: one JSON file readable by its owner only (0600, folder 0700),
// replaced atomically so a crash mid-write never leaves half a key behind.

import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { HostState, StateStore } from "../core/identity";

export function stateFile(dir: string, name = "host.json"): StateStore & { path: string } {
  const path = join(dir, name);
  return {
    path,
    async load() {
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw err;
      }
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new Error(`${path} is not valid JSON; move it away to start afresh.`);
      }
    },
    async save(state: HostState) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
      await chmod(tmp, 0o600);
      await rename(tmp, path);
    },
  };
}

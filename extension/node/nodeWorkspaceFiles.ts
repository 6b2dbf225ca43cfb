// The agent's file-writing port on Node's `fs`.

import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { WorkspaceFiles } from "../core/agent/tools/ports";

const isWindows = process.platform === "win32";

export const nodeWorkspaceFiles: WorkspaceFiles = {
  /**
   * Writes a temporary file beside the target and renames it over, so an editor, a watcher or a
   * running build never reads half a file, and a full disk leaves the old file whole.
   */
  async writeFile(abs, data) {
    const mode = await stat(abs).then(
      (s) => s.mode & 0o7777,
      () => undefined,
    );
    const temp = join(dirname(abs), `.${basename(abs).slice(0, 100)}.${randomBytes(4).toString("hex")}.tether-tmp`);
    try {
      await writeFile(temp, data, { flag: "wx", ...(mode !== undefined ? { mode } : {}) });
      // The umask trimmed the mode given on creation; an existing file's mode is kept exactly.
      if (mode !== undefined) await chmod(temp, mode);
      await rename(temp, abs);
    } catch (err) {
      await rm(temp, { force: true });
      // Windows refuses to rename over a file another program holds open: write it in place.
      const code = (err as NodeJS.ErrnoException).code;
      if (isWindows && (code === "EPERM" || code === "EACCES" || code === "EBUSY")) await writeFile(abs, data);
      else throw err;
    }
  },
  async mkdirp(abs) {
    await mkdir(abs, { recursive: true });
  },
  remove: (abs) => unlink(abs),
  readFile: (abs) => readFile(abs),
};

import { lstat, open } from "node:fs/promises";
import { join } from "node:path";
import type { Diff } from "./changesDiff";

/** Git's own test for binary content: a NUL byte among the first 8000. */
const BINARY_PROBE = 8000;

/**
 * The diff of an untracked regular file as `git diff --no-index /dev/null <file>` prints it, read
 * straight from disk: with hundreds of new files, one git process each is what made the list slow.
 * Undefined for anything else (symlinks, names git would quote), which git then diffs itself.
 */
export async function untrackedDiff(repo: string, path: string, max: number): Promise<Diff | undefined> {
  // eslint-disable-next-line no-control-regex
  if (/["\\\x00-\x1f\x7f]/.test(path)) return undefined;
  const full = join(repo, path);
  const info = await lstat(full).catch(() => undefined);
  // Gone since status listed it (an agent is still writing): an empty diff, not a failed list.
  if (info === undefined) return { text: "", truncated: false, binary: false };
  if (!info.isFile()) return undefined;
  const mode = info.mode & 0o111 ? "100755" : "100644";
  const header = `diff --git a/${path} b/${path}\nnew file mode ${mode}\n`;
  const content = await readStart(full, Math.min(info.size, max + 1));
  if (content.subarray(0, BINARY_PROBE).includes(0)) {
    return { text: `${header}Binary files /dev/null and b/${path} differ\n`, truncated: false, binary: true };
  }
  if (info.size === 0) return { text: header, truncated: false, binary: false };
  const whole = content.length === info.size;
  const body = content.toString("utf8");
  const lines = body.split("\n");
  const endsInNewline = body.endsWith("\n");
  if (endsInNewline) lines.pop();
  const count = lines.length === 1 ? "1" : `1,${lines.length}`;
  // Like GNU diff, git ends a name holding a space with a tab so the name's end can be found.
  const tab = path.includes(" ") ? "\t" : "";
  let text = `${header}--- /dev/null\n+++ b/${path}${tab}\n@@ -0,0 +${count} @@\n`;
  text += lines.map((line) => `+${line}\n`).join("");
  if (!endsInNewline && whole) text += "\\ No newline at end of file\n";
  const bytes = Buffer.from(text, "utf8");
  if (!whole || bytes.length > max) {
    return { text: bytes.subarray(0, max).toString("utf8"), truncated: true, binary: false };
  }
  return { text, truncated: false, binary: false };
}

async function readStart(file: string, length: number): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

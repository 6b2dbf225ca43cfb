// Which project hooks files the person trusted, by the SHA-256 of their exact content, kept in
// the host's own state (`hooks-trust.json` in its state directory, 0600), never in the project:
// a project cannot mark its own hooks as trusted. One hash per workspace folder, the last one
// trusted; a file whose content changed has another hash, so it is untrusted again.

import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

export interface HookTrust {
  /** The hash trusted for the workspace at `root`, if any. */
  trusted(root: string): string | undefined;
  trust(root: string, hash: string): void;
}

export function sha256Hex(bytes: Buffer | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

const fileSchema = z.object({ trusted: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)) });

/** Trust kept in a JSON file in the host's state directory. */
export class HookTrustFile implements HookTrust {
  readonly path: string;

  constructor(private readonly dir: string) {
    this.path = join(dir, "hooks-trust.json");
  }

  trusted(root: string): string | undefined {
    return this.read()[root];
  }

  trust(root: string, hash: string): void {
    const all = { ...this.read(), [root]: hash };
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify({ trusted: all }, null, 2), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }

  /** What is kept; nothing when the file is missing or is not one (then nothing is trusted). */
  private read(): Record<string, string> {
    try {
      const parsed = fileSchema.safeParse(JSON.parse(readFileSync(this.path, "utf8")));
      return parsed.success ? parsed.data.trusted : {};
    } catch {
      return {};
    }
  }
}

// The headless host's "Always on this computer" rules: a JSON file in its state directory
// (`allow-rules.json`, 0600), loaded at start with `--allow`, listed and taken back with
// `tether-host rules`, and watched so a rule removed from another terminal stops applying to a
// host that is running, without a restart.

import { chmodSync, mkdirSync, readFileSync, renameSync, unwatchFile, watchFile, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { DeviceRef } from "#protocol";

const fileSchema = z.object({
  allow: z.array(z.object({ rule: z.string().min(1), addedAt: z.number(), by: z.string() })),
});
export type HostRule = z.infer<typeof fileSchema>["allow"][number];

export class HostRulesFile {
  readonly path: string;

  constructor(private readonly dir: string) {
    this.path = join(dir, "allow-rules.json");
  }

  /** The rules kept, oldest first; none when the file is missing. Throws on a file that is not one. */
  list(): HostRule[] {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    let parsed;
    try {
      parsed = fileSchema.safeParse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) throw new Error(`${this.path} is not a rules file; move it away to start afresh.`);
    return parsed.data.allow;
  }

  /** Keeps `rule`; false when it was kept already. */
  add(rule: string, by: DeviceRef, now = Date.now()): boolean {
    const rules = this.list();
    if (rules.some((kept) => kept.rule === rule)) return false;
    this.save([...rules, { rule, addedAt: now, by: by.name }]);
    return true;
  }

  /** Takes `rule` back; false when there was no such rule. */
  remove(rule: string): boolean {
    const rules = this.list();
    const kept = rules.filter((candidate) => candidate.rule !== rule.trim());
    if (kept.length === rules.length) return false;
    this.save(kept);
    return true;
  }

  /** Calls `onChange` when the file changes, whoever changed it; returns the way to stop. */
  watch(onChange: () => void, intervalMs = 500): () => void {
    const listener = (): void => onChange();
    watchFile(this.path, { interval: intervalMs, persistent: false }, listener);
    return () => unwatchFile(this.path, listener);
  }

  private save(rules: HostRule[]): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ allow: rules }, null, 2) + "\n", { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }
}

export interface HostRuleKeeper {
  /** For `addHostRule`: keeps the rule in the file and puts it in force at once. */
  add(rule: string, by: DeviceRef): void;
  /** Stops watching the file. */
  close(): void;
}

/**
 * Keeps rules in `file` and applies `base` (`--allow`) plus the file's rules through `apply`
 * (`ThreadManager.setAllowRules`) now, after each rule added, and whenever the file changes.
 * `say` tells the person at the computer, with how to take the rule back.
 */
export function keepHostRules(options: {
  file: HostRulesFile;
  base: readonly string[];
  apply: (rules: string[]) => void;
  say: (line: string) => void;
}): HostRuleKeeper {
  const { file, base, apply, say } = options;
  const current = (): string[] => {
    try {
      return [...base, ...file.list().map((kept) => kept.rule)];
    } catch (err) {
      // A broken file allows nothing more than `--allow`; the person is told which file.
      say(`warning: ${(err as Error).message}`);
      return [...base];
    }
  };
  apply(current());
  const stop = file.watch(() => apply(current()));
  return {
    add(rule, by) {
      if (file.add(rule, by)) {
        say(`Allowed \`${rule}\` on this computer (chosen on ${by.name}). To take it back: tether-host rules --remove "${rule}"`);
      }
      apply(current());
    },
    close: stop,
  };
}

// What of a workspace the phone may see. Secret files are never listed or read; ignored
// files (.gitignore, .git itself, extra excludes) are not listed. Rules use gitignore syntax.

import ignore, { type Ignore } from "ignore";

/** Files that hold credentials. Matched against every path, at any depth. */
export const DEFAULT_SECRET_PATTERNS: readonly string[] = [
  ".env",
  ".env.*",
  "*.pem",
  "*.key",
  "*.p12",
  "*.pfx",
  "*.jks",
  "*.keystore",
  "id_rsa*",
  "id_dsa*",
  "id_ecdsa*",
  "id_ed25519*",
  ".ssh/",
  ".aws/",
  ".gnupg/",
  ".netrc",
  ".npmrc",
  ".pypirc",
  ".git-credentials",
  ".htpasswd",
  "credentials.json",
  "service-account*.json",
  "*.tfstate",
];

/**
 * Always hidden from listings, whatever .gitignore says: git's folder, and the `.git` file that
 * stands for it in a worktree (a task's own) or a submodule.
 */
export const ALWAYS_EXCLUDED: readonly string[] = [".git"];

/**
 * True when a gitignore line can only ever match by an entry's own name: no slash but a trailing
 * one (a folder-only pattern). Such a pattern matches at any depth, the same for `a/b/name` as for
 * `name`. Comments and blank lines match nothing.
 */
export function isNamePattern(line: string): boolean {
  const pattern = line.trimEnd();
  if (pattern === "" || pattern.startsWith("#")) return true;
  const slash = pattern.indexOf("/");
  return slash < 0 || slash === pattern.length - 1;
}

/**
 * gitignore-style rules (one `.gitignore`, the secret list, the excludes) checked for the entries
 * of one folder at a time. When every pattern is a name pattern, an entry of a folder the rules
 * do not exclude is decided by its name alone: one match, remembered across folders (the same
 * names recur in every folder of a big tree), instead of a match of its whole path and of every
 * folder above it.
 */
export class EntryRules {
  private readonly matcher: Ignore;
  private readonly byName: boolean;

  constructor(patterns: readonly string[] | string) {
    this.matcher = ignore().add(typeof patterns === "string" ? patterns : [...patterns]);
    const lines = typeof patterns === "string" ? patterns.split(/\r?\n/) : patterns;
    this.byName = lines.every(isNamePattern);
  }

  /** `rel` (relative to the rules' folder, `/`-separated, a trailing `/` for a folder) is excluded, or a folder above it is. */
  ignores(rel: string): boolean {
    return this.matcher.ignores(rel);
  }

  /**
   * The matcher for the entries of one folder (`dirRel` relative to the rules' folder, `""` for
   * that folder itself): true for an entry the rules exclude. The folder is checked once here, so
   * each entry is checked on its own.
   */
  forFolder(dirRel: string): (name: string, isDir: boolean) => boolean {
    if (dirRel && this.matcher.ignores(dirRel + "/")) return () => true;
    if (this.byName) return (name, isDir) => this.matcher.ignores(isDir ? name + "/" : name);
    const prefix = dirRel ? dirRel + "/" : "";
    return (name, isDir) => this.matcher.ignores(prefix + (isDir ? name + "/" : name));
  }
}

export class SecretRules {
  private readonly rules: EntryRules;

  constructor(patterns: readonly string[] = DEFAULT_SECRET_PATTERNS) {
    this.rules = new EntryRules(patterns);
  }

  /** The secret check for the entries of one folder (workspace-relative), true for a secret entry. */
  forFolder(dirRel: string): (name: string, isDir: boolean) => boolean {
    return this.rules.forFolder(dirRel);
  }

  /** True when `rel` (workspace-relative, `/`-separated) or any folder above it is secret. */
  isSecret(rel: string, isDir = false): boolean {
    if (rel === "") return false;
    const parts = rel.split("/");
    for (let i = 1; i <= parts.length; i++) {
      const dir = i < parts.length || isDir;
      if (this.rules.ignores(parts.slice(0, i).join("/") + (dir ? "/" : ""))) return true;
    }
    return false;
  }
}

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

export class SecretRules {
  private readonly matcher: Ignore;

  constructor(patterns: readonly string[] = DEFAULT_SECRET_PATTERNS) {
    this.matcher = ignore().add([...patterns]);
  }

  /**
   * `isSecret` for an entry of a folder already known not to be secret: one match instead of one
   * per folder above it, which a walk over a big tree pays for every entry.
   */
  isSecretEntry(rel: string, isDir: boolean): boolean {
    return this.matcher.ignores(isDir ? rel + "/" : rel);
  }

  /** True when `rel` (workspace-relative, `/`-separated) or any folder above it is secret. */
  isSecret(rel: string, isDir = false): boolean {
    if (rel === "") return false;
    const parts = rel.split("/");
    for (let i = 1; i <= parts.length; i++) {
      const dir = i < parts.length || isDir;
      if (this.matcher.ignores(parts.slice(0, i).join("/") + (dir ? "/" : ""))) return true;
    }
    return false;
  }
}

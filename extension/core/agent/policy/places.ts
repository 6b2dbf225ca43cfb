// Where a path on a command line points. `~`, `$HOME` and `$PWD` are resolved; anything else
// only known at run time (another variable, a substitution, a relative path after `cd "$X"`)
// is not, and the answer is then undefined so the policy can ask instead of guessing. Paths are
// POSIX and symbolic links are not followed: this looks at the text of the command only.

import { posix } from "node:path";

/** A folder no recursive delete or chmod should touch, by what it is. */
export type DangerousPlace =
  | { kind: "root"; path: "/" }
  | { kind: "home"; path: string }
  | { kind: "system"; path: string }
  | { kind: "workspace parent"; path: string };

const HOME_WORD = /^(~|\$HOME|\$\{HOME\})(?=\/|$)/;
const PWD_WORD = /^(\$PWD|\$\{PWD\})(?=\/|$)/;

export function absolute(path: string): string {
  return posix.resolve("/", path);
}

export class Places {
  readonly root: string;
  readonly home: string | undefined;

  constructor(workspaceRoot: string, homeDir: string | undefined) {
    this.root = absolute(workspaceRoot);
    this.home = homeDir === undefined ? undefined : absolute(homeDir);
  }

  /** The absolute path `target` names when run in `cwd`, or undefined when that is only known at run time. */
  resolve(target: string, dynamic: boolean, cwd: string | undefined): string | undefined {
    let path = target;
    const home = HOME_WORD.exec(path);
    const pwd = PWD_WORD.exec(path);
    if (home) {
      if (this.home === undefined) return undefined;
      path = this.home + path.slice(home[0].length);
    } else if (path.startsWith("~")) {
      return undefined; // `~user`, `~+`, `~-`
    } else if (pwd) {
      if (cwd === undefined) return undefined;
      path = cwd + path.slice(pwd[0].length);
    }
    // A dynamic word is only placed when a known prefix was its one expansion.
    if (dynamic && (!(home || pwd) || /[$`]/.test(path))) return undefined;
    if (!path.startsWith("/")) {
      if (cwd === undefined) return undefined;
      path = `${cwd}/${path}`;
    }
    return absolute(path);
  }

  inWorkspace(path: string): boolean {
    return path === this.root || path.startsWith(this.root === "/" ? "/" : `${this.root}/`);
  }

  /**
   * What `target` is when deleting or re-owning it recursively would wreck the machine: `/`, a
   * folder right under it, the home folder, or a folder holding the workspace. `dir/*` counts as
   * dir. "unknown" when the path is only known at run time.
   */
  danger(target: string, dynamic: boolean, cwd: string | undefined): DangerousPlace | "unknown" | undefined {
    let path = target;
    for (let previous = ""; previous !== path;) {
      previous = path;
      path = path.replace(/\/+$/, "").replace(/(^|\/)\.?\*$/, "$1");
    }
    if (path === "") path = target.startsWith("/") ? "/" : ".";
    if (this.home === undefined && /^(~|\$HOME|\$\{HOME\})$/.test(path)) {
      return { kind: "home", path: target };
    }
    const resolved = this.resolve(path, dynamic, cwd);
    if (resolved === undefined) return "unknown";
    if (resolved === "/") return { kind: "root", path: "/" };
    if (resolved === this.home) return { kind: "home", path: resolved };
    if (resolved.lastIndexOf("/") === 0) return { kind: "system", path: resolved };
    if (this.root.startsWith(`${resolved}/`)) return { kind: "workspace parent", path: resolved };
    return undefined;
  }
}

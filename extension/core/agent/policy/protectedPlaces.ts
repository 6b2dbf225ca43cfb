// Protected places (GATE-SPEC 4): folders and files whose contents run code later without
// anyone running a command. `.git/` holds hooks and the settings that name programs
// (core.fsmonitor, core.hooksPath); `.vscode/` tasks and settings the editor acts on;
// `.github/` workflows that run in CI with its secrets; `.husky/` commit hooks;
// `.devcontainer/` the commands a container runs as it is built; `.envrc` what direnv runs on
// entering the folder; `.tether/` this extension's own state. A write into one asks in every
// mode, full-auto included, and no blanket approval lifts it.
//
// Left out on purpose: `git update-index` writes .git/index, which every `git add` writes and
// whose content runs nothing; `npm pkg set` writes package.json, ordinary project content the
// agent edits all the time (its scripts are what `npm test` runs, which is the allow rule's
// business). `git remote add/set-url` is in: it changes where an allowed `git push` sends code.

import { verdict, type Verdict } from "./verdict";
import { operands } from "./options";
import { sedWrittenFiles } from "./scripts";
import { gitConfigWrite, gitSubcommand } from "./gitOptions";
import { basename } from "./wrappers";

const FOLDERS = [".git", ".vscode", ".tether", ".github", ".husky", ".devcontainer"];
const FILES = [".envrc"];
const NAMES = [...FOLDERS, ...FILES];
// Windows reaches `.git` as `GIT~1` (its short name), `.git.` and `.git::$INDEX_ALLOCATION`, and
// Windows and macOS as `.GIT`: each segment is folded the way those file systems fold it.
const SHORT_NAMES = new Set(NAMES.map((name) => `${name.slice(1, 7)}~1`));

/**
 * The protected place a workspace-relative path is in (".git/", ".envrc"), or undefined.
 * `patterns`: glob and brace characters in it are the shell's to expand (a shell word that
 * `expands`); a quoted `'build/*'` names the file `*`, as the file tools do.
 */
export function protectedPlace(relative: string, patterns = true): string | undefined {
  for (const segment of relative.split(/[/\\]+/)) {
    const folded = segment
      .toLowerCase()
      .replace(/:.*$/, "")
      .replace(/[. ]+$/, "");
    const braces = patterns && /\{[^}]*(,|\.\.)[^}]*\}/.test(segment);
    if (patterns && (/[*?[]/.test(segment) || braces)) {
      // A pattern the shell expands (`.gi?`, `{.git,x}`): protected when it could name one.
      const pattern = braces ? /./ : globToRegExp(segment.toLowerCase());
      const hit = NAMES.find((name) => pattern.test(name));
      if (hit) return place(hit);
      continue;
    }
    const hit =
      NAMES.find((name) => name === folded) ??
      (SHORT_NAMES.has(folded) ? NAMES.find((n) => `${n.slice(1, 7)}~1` === folded) : undefined);
    if (hit) return place(hit);
  }
  return undefined;
}

function place(name: string): string {
  return FOLDERS.includes(name) ? `${name}/` : name;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/\[[^\]]*\]|[*?]|[^*?[]+/g, (part) =>
    part === "*" ? ".*" : part === "?" ? "." : part.startsWith("[") ? "." : part.replace(/[.+^$()|\\/]/g, "\\$&"),
  );
  return new RegExp(`^${body}$`);
}

/** The ask for a write into a protected place: every mode, no blanket approval. */
export function protectedWrite(where: string, target: string): Verdict {
  return {
    ...verdict(
      "ask",
      `protected place: ${where}`,
      target.replace(/\/+$/, "") === where.replace(/\/$/, "")
        ? `It writes into ${where}, a protected place.`
        : `It writes into ${where}, a protected place: ${target}.`,
    ),
    sticky: true,
  };
}

/** The ask for a file-tool edit of a protected place. */
export function protectedEdit(where: string, path: string): Verdict {
  return {
    ...verdict("ask", `protected place: ${where}`, `The agent wants to change ${path}, in ${where}, a protected place.`),
    sticky: true,
  };
}

/** The ask for `git config`/`git remote add` writing the repository's settings, which live in .git/. */
export const REPOSITORY_SETTINGS: Verdict = {
  ...verdict(
    "ask",
    "protected place: .git/",
    "It changes the repository's settings in .git/config, a protected place: settings there can run programs.",
  ),
  sticky: true,
};

export interface Target {
  target: string;
  dynamic: boolean;
  /** It holds unquoted glob or brace characters, so the shell may turn it into other names. */
  expands: boolean;
}

type Words = { words: readonly string[]; dynamic: readonly boolean[]; expands: readonly boolean[] };

/**
 * Files a program changes that are named among its operands, beyond the outputs `namedWrites`
 * finds: `sed -i`, `perl -i`, `touch`, `truncate`, `chmod`/`chown`/`chgrp`, `rm`/`rmdir`/`unlink`,
 * and the folder `tar -x -C dir` and `unzip -d dir` extract into.
 */
export function changedFiles({ words, dynamic, expands }: Words): Target[] {
  const name = basename(words[0] ?? "");
  const pick = (indexes: number[]): Target[] =>
    indexes.map((i) => ({ target: words[i] ?? "", dynamic: dynamic[i] ?? false, expands: expands[i] ?? false }));
  switch (name) {
    case "sed": {
      // The files its script writes (`w file`) are named in the script, and are as plain as the script.
      const scriptDynamic = dynamic.some((d, i) => d && i > 0);
      const written = sedWrittenFiles(words).map((target) => ({ target, dynamic: scriptDynamic, expands: false }));
      if (!words.some((w) => /^-[^-e]*i/.test(w) || /^--in/.test(w))) return written;
      const explicit = words.some((w) => /^(-[^-]*[ef]|--expression|--file)/.test(w));
      const files = operands(words, ["-e", "--expression", "-f", "--file", "-l"]);
      return [...written, ...pick(explicit ? files : files.slice(1))];
    }
    case "find":
      return pick(words.flatMap((w, i) => (["-fprint", "-fprint0", "-fprintf", "-fls"].includes(w) ? [i + 1] : [])));
    case "rsync":
    case "scp": {
      const files = operands(words, ["-e", "--rsh", "-i", "-F", "-o", "-P", "-S", "-J", "-c", "-l"]);
      return files.length >= 2 ? pick(files.slice(-1)) : [];
    }
    case "perl": {
      if (!words.some((w) => /^-[^-]*i/.test(w))) return [];
      // `-pie CODE`: a bundle ending in e or E takes the next word as code; without one the first operand is the script.
      let code = false;
      const files: number[] = [];
      for (let i = 1; i < words.length; i++) {
        const word = words[i] ?? "";
        if (/^-[^-]*[eE]$/.test(word)) {
          code = true;
          i++;
        } else if (!word.startsWith("-")) files.push(i);
      }
      return pick(code ? files : files.slice(1));
    }
    case "touch":
      return pick(operands(words, ["-d", "-t", "-r", "--date", "--reference"]));
    case "truncate":
      return pick(operands(words, ["-s", "-r", "--size", "--reference"]));
    case "chmod":
    case "chown":
    case "chgrp": {
      const files = operands(words, []);
      return pick(words.some((w) => w.startsWith("--reference")) ? files : files.slice(1));
    }
    case "rm":
    case "rmdir":
    case "unlink":
    case "shred":
      return pick(operands(words, []));
    case "tar": {
      const at = words.findIndex((w) => w === "-C" || w === "--directory");
      const attached = words.findIndex((w) => w.startsWith("--directory="));
      if (attached >= 0) {
        const [at, target] = [attached, (words[attached] ?? "").slice(12)];
        return [{ target, dynamic: dynamic[at] ?? false, expands: expands[at] ?? false }];
      }
      return at >= 0 ? pick([at + 1]) : [];
    }
    case "unzip": {
      const at = words.indexOf("-d");
      return at >= 0 ? pick([at + 1]) : [];
    }
    default:
      return [];
  }
}

/**
 * Where `git config` or `git remote` writes settings: the repository's own (.git/config, a
 * protected place), the user's (`--global`, outside the workspace), or a named file.
 */
export function gitSettingsWrite({ words, dynamic, expands }: Words): "repository" | Target | undefined {
  if (basename(words[0] ?? "") !== "git") return undefined;
  const sub = gitSubcommand(words);
  const verb = words[sub + 1] ?? "";
  const remote =
    words[sub] === "remote" && ["add", "set-url", "rename", "remove", "rm", "set-head", "set-branches"].includes(verb);
  if (!remote && gitConfigWrite(words) < 0) return undefined;
  for (let i = sub + 1; i < words.length; i++) {
    const word = words[i] ?? "";
    if (word === "--global") return { target: "~/.gitconfig", dynamic: false, expands: false };
    if (word === "--system") return { target: "/etc/gitconfig", dynamic: false, expands: false };
    if (word === "-f" || word === "--file")
      return { target: words[i + 1] ?? "", dynamic: dynamic[i + 1] ?? false, expands: expands[i + 1] ?? false };
    if (word.startsWith("--file=")) return { target: word.slice(7), dynamic: dynamic[i] ?? false, expands: expands[i] ?? false };
  }
  return "repository";
}

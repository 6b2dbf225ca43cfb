// The small programs that sed and awk take as an argument. `sed 's/a/b/e'` runs the result
// as a command and `sed 'w out'` writes a file; `awk '{ system("…") }'` runs one. These read
// the script the way GNU sed and POSIX awk do, far enough to find those, and answer "cannot
// tell" (treated as found) for anything they do not follow.

import { firstOperand, type Finder } from "./options";

const SED_VALUE_OPTIONS = ["-e", "--expression", "-f", "--file", "-l", "--line-length"];

/** sed's scripts: every `-e` value, or else the first operand. */
function sedScripts(words: readonly string[]): { text: string; at: number }[] {
  const scripts: { text: string; at: number }[] = [];
  let fromFile = false;
  for (let i = 1; i < words.length; i++) {
    const word = words[i] ?? "";
    if (word === "--") break;
    if (word === "-e" || word === "--expression") scripts.push({ text: words[i + 1] ?? "", at: ++i });
    else if (word.startsWith("--expression=")) scripts.push({ text: word.slice(13), at: i });
    else if (/^-[^-]/.test(word)) {
      // A bundle such as `-ne 's/…/'` or `-es/a/b/`: the value starts after `e`.
      const e = /^-[nrEsuzi]*e(.*)$/s.exec(word);
      if (e) scripts.push(e[1] ? { text: e[1], at: i } : { text: words[i + 1] ?? "", at: ++i });
      else if (/^-[^-]*f/.test(word)) fromFile = true;
      else if (/^-[^-]*l$/.test(word)) i++;
    } else if (word === "--file" || word.startsWith("--file=")) fromFile = true;
  }
  if (scripts.length === 0 && !fromFile) {
    const at = firstOperand(words, SED_VALUE_OPTIONS);
    if (at >= 0) scripts.push({ text: words[at] ?? "", at });
  }
  return scripts;
}

/** Finds a sed script that runs a command (`e`, `s///e`) or writes a file (`w`, `W`, `s///w`). */
export function sedScriptEffect(effect: "runs" | "writes"): Finder {
  return (words) => {
    for (const script of sedScripts(words)) {
      const found = sedEffects(script.text);
      if (found.has(effect) || found.has("unknown")) return script.at;
    }
    return -1;
  };
}

type SedEffect = "runs" | "writes" | "unknown";

/** What a GNU sed script does besides editing its stream; the files its `w`s name go into `written`. */
export function sedEffects(script: string, written: string[] = []): Set<SedEffect> {
  const found = new Set<SedEffect>();
  let i = 0;
  const at = (): string => script[i] ?? "";
  const toLineEnd = (): void => {
    while (i < script.length && at() !== "\n") i++;
  };
  const fileName = (): void => {
    const start = i;
    toLineEnd();
    written.push(script.slice(start, i).trim());
  };
  /** Past a regex or replacement ending at `delim`; GNU sed takes `[…]` whole, delimiter included. */
  const delimited = (delim: string): boolean => {
    while (i < script.length) {
      const ch = at();
      if (ch === "\\") i += 2;
      else if (ch === delim) {
        i++;
        return true;
      } else if (ch === "[" && delim !== "[") {
        const end = /^\[\^?\]?[^\]]*\]/.exec(script.slice(i));
        i += end ? end[0].length : 1;
      } else i++;
    }
    return false;
  };
  while (i < script.length) {
    while (/[\s;{}!]/.test(at())) i++;
    // Addresses: numbers, `$`, `/re/`, `\cREc`, ranges and steps.
    while (i < script.length) {
      if (/[0-9$,~+\s!]/.test(at())) i++;
      else if (at() === "/") {
        i++;
        if (!delimited("/")) return found.add("unknown");
      } else if (at() === "\\") {
        const delim = script[i + 1] ?? "";
        i += 2;
        if (!delimited(delim)) return found.add("unknown");
      } else if (at() === "I" || at() === "M") i++;
      else break;
    }
    const command = at();
    i++;
    if (command === "" || command === "}") continue;
    if (command === "s" || command === "y") {
      const delim = at();
      i++;
      if (delim === "" || delim === "\n" || delim === "\\" || !delimited(delim) || !delimited(delim)) return found.add("unknown");
      if (command === "y") continue;
      const flags = /^[0-9gpiImMe]*/.exec(script.slice(i))?.[0] ?? "";
      i += flags.length;
      if (flags.includes("e")) found.add("runs");
      if (at() === "w") {
        found.add("writes");
        i++;
        fileName();
      }
    } else if (command === "e") {
      found.add("runs");
      toLineEnd();
    } else if (command === "w" || command === "W") {
      found.add("writes");
      fileName();
    } else if ("aic".includes(command)) {
      // Text runs to the end of the line, over `a\` and lines that end in a backslash.
      for (;;) {
        toLineEnd();
        if (script[i - 1] !== "\\" || i >= script.length) break;
        i++;
      }
    } else if (":btTrRvF#".includes(command)) {
      // Labels and file names run to the end of the line (`b`/`t` also stop at `;`).
      if ("btT".includes(command)) while (i < script.length && !/[;\n}]/.test(at())) i++;
      else toLineEnd();
    } else if ("qQlLz".includes(command)) {
      while (/[0-9 ]/.test(at())) i++;
    } else if (!"=dDgGhHnNpPx".includes(command)) {
      return found.add("unknown");
    }
  }
  return found;
}

/** Files sed's scripts write with `w`, `W` and `s///w` (`/dev/stdout` included). */
export function sedWrittenFiles(words: readonly string[]): string[] {
  const written: string[] = [];
  for (const script of sedScripts(words)) sedEffects(script.text, written);
  return written;
}

/** awk's program (the first operand, after `-v x=1`, `-F :`), when it calls system(), pipes or redirects output. */
export function awkProgramRuns(words: readonly string[]): number {
  const at = firstOperand(words, ["-v", "-F", "-f", "--assign", "--field-separator"]);
  if (at < 0) return -1;
  // Outside string constants `>` is output redirection or a comparison, which cannot be told apart here.
  const code = (words[at] ?? "").replace(/"(\\.|[^"\\])*"/g, '""');
  return /\bsystem\s*\(|\||>|@load|@include/.test(code) ? at : -1;
}

// Finding an option on a command line the way the program itself would read it: exact words
// (`find -exec`), long options with `=` or a separate value (`rg --pre=x`, `rg --pre x`), GNU
// getopt's unambiguous abbreviations (`sed --in-pl`), short options bundled into one word
// (`curl -sSo out`, `sed -ni`) and subcommands (`npm exec`). Each finder answers the index of the
// word that shows the option, or -1, so a rule that spells the option out itself can cover it.

/** The index of the word that shows an option, or -1. */
export type Finder = (words: readonly string[]) => number;

/** Any of `names`, word for word. */
export function exact(...names: string[]): Finder {
  return (words) => words.findIndex((word, i) => i > 0 && names.includes(word));
}

/**
 * `--name`, `--name=value`, and when `abbreviates` (GNU getopt_long) any prefix of at least
 * three letters (`--in` for `--in-place`): the program would take it, and reading one that
 * means another option as this one only makes the command ask.
 */
export function long(name: string, abbreviates = false): Finder {
  const full = name.replace(/^--/, "");
  return (words) =>
    words.findIndex((word, i) => {
      if (i === 0 || !word.startsWith("--")) return false;
      const given = word.slice(2).split("=")[0] ?? "";
      return given === full || (abbreviates && given.length >= 3 && full.startsWith(given));
    });
}

/**
 * A short option letter, alone or bundled (`-ni`, `-i.bak`). `withValue` lists the program's
 * letters that take a value: the rest of the word after one of them is that value, not options.
 */
export function short(letter: string, withValue: string): Finder {
  return (words) =>
    words.findIndex((word, i) => {
      if (i === 0 || !/^-[^-]/.test(word)) return false;
      for (const ch of word.slice(1)) {
        if (ch === letter) return true;
        if (withValue.includes(ch)) return false;
      }
      return false;
    });
}

/** The first finder that finds something. */
export function anyOf(...finders: Finder[]): Finder {
  return (words) => {
    for (const finder of finders) {
      const at = finder(words);
      if (at >= 0) return at;
    }
    return -1;
  };
}

/** The index of the first word that is not an option, skipping the values of `withValue` options. */
export function firstOperand(words: readonly string[], withValue: readonly string[], from = 1): number {
  for (let i = from; i < words.length; i++) {
    const word = words[i] ?? "";
    if (word === "--") return i + 1 < words.length ? i + 1 : -1;
    if (!word.startsWith("-") || word === "-") return i;
    if (withValue.includes(word)) i++;
  }
  return -1;
}

/** A subcommand among `names`: the first operand after the program's own options (`npm --silent exec`). */
export function subcommand(names: readonly string[], withValue: readonly string[] = []): Finder {
  return (words) => {
    const at = firstOperand(words, withValue);
    return at >= 0 && names.includes(words[at] ?? "") ? at : -1;
  };
}

/** Operands after `from` (options and their values skipped), as indexes. */
export function operands(words: readonly string[], withValue: readonly string[], from = 1): number[] {
  const found: number[] = [];
  let options = true;
  for (let i = from; i < words.length; i++) {
    const word = words[i] ?? "";
    if (options && word === "--") options = false;
    else if (options && word.startsWith("-") && word !== "-") {
      if (withValue.includes(word)) i++;
    } else found.push(i);
  }
  return found;
}

/** One row of a program's table (programs.ts): an option an allow rule does not cover. */
export interface OptionRow {
  /** The option as a person would write it: `-exec`, `--pre`, `s///e`, `exec`. */
  option: string;
  /** What it does, to end the sentence "`find -exec` …": "runs a program". */
  does: string;
  /** Where this is documented, or which peer treats it the same way. */
  source: string;
  at: Finder;
}

export const CODEX = "openai/codex codex-rs/core/src/command_safety/is_safe_command.rs";
export const ROO = "RooCodeInc/Roo-Code src/utils/__tests__/command-validation.spec.ts";

export const RUNS = "runs a program";
export const WRITES = "writes a file";

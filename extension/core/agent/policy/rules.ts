// The person's rules (GATE-SPEC 2, 8): each is a word prefix of the commands it names, split like
// a command line so `npm "test"` and `npm test` are one rule. A deny rule names a program
// whatever path runs it, since what it denies is what the program does; an allow rule names the
// program found on the PATH, so `git status` allows no `/tmp/x/git status`. Both meet git's
// subcommand past git's own options (`git -C . push` is `git push`); what those options do is
// programs.ts's and policy.ts's business.

import { gitPastGlobals } from "./gitOptions";
import type { ShellGrammar } from "./grammar";
import { splitCommand } from "./shell";
import { basename } from "./wrappers";

export interface Rule {
  text: string;
  words: string[];
}

/** Parses a comma- or newline-separated rule list from a flag or setting. */
export function parseRuleList(text: string): string[] {
  const rules = text.split(/[,\n]/).map((rule) => rule.trim());
  return [...new Set(rules.filter((rule) => rule !== ""))];
}

/** Rules are split like commands, so `npm "test"` and `npm test` are the same rule. */
export function compileRules(texts: readonly string[], grammar: ShellGrammar): Rule[] {
  return texts.flatMap((raw) => {
    const text = raw.trim();
    const parsed = splitCommand(text, grammar);
    const only = parsed.commands[0];
    const simple = parsed.error === undefined && parsed.commands.length === 1 && only?.redirects.length === 0;
    const words = simple && only ? only.words : text.split(/\s+/).filter((word) => word !== "");
    return words.length > 0 ? [{ text, words }] : [];
  });
}

/** The first rule whose words start `words`, compared whole word by whole word. */
export function findRule(rules: readonly Rule[], words: readonly string[]): Rule | undefined {
  return rules.find((rule) => rule.words.length <= words.length && rule.words.every((word, i) => word === words[i]));
}

/** An allow rule, and when it matched git's subcommand past git's own options, the words it matched. */
export interface MatchedRule {
  rule: Rule;
  pastGlobals?: string[];
}

/**
 * An allow rule for the program as written, or for git past its own options (`git -C . status`
 * by `git status`). The program's path is the rule's business: `git status` does not allow
 * `/tmp/x/git status`.
 */
export function findAllowRule(rules: readonly Rule[], words: readonly string[]): MatchedRule | undefined {
  const rule = findRule(rules, words);
  if (rule) return { rule };
  const pastGlobals = words[0] === "git" ? gitPastGlobals(words) : undefined;
  const past = pastGlobals && findRule(rules, pastGlobals);
  return past && pastGlobals ? { rule: past, pastGlobals } : undefined;
}

/**
 * A deny rule for the program whatever path runs it (`/usr/bin/git reset` by `git reset`), and
 * for git past its own options (`git -C . push` by `git push`).
 */
export function findDenyRule(rules: readonly Rule[], words: readonly string[]): Rule | undefined {
  const named = [basename(words[0] ?? ""), ...words.slice(1)];
  const past = named[0] === "git" ? gitPastGlobals(named) : undefined;
  return findRule(rules, words) ?? findRule(rules, named) ?? (past && findRule(rules, past));
}

// The bash grammar, loaded once for all the tests of a run, as a host loads it once at start.

import { loadShellGrammar, type ShellGrammar } from "../../extension/core/agent/policy/grammar";

let grammar: Promise<ShellGrammar> | undefined;

export function shellGrammar(): Promise<ShellGrammar> {
  grammar ??= loadShellGrammar();
  return grammar;
}

// What the shell walker (shell.ts) makes of a command line: the simple commands it would run and
// the redirections of each. Types only, so the walker and the modules it calls (words.ts,
// wrappers.ts) share them without importing one another back.

/** One redirection of a simple command, e.g. `2>>log.txt`. */
export interface Redirect {
  /** `>`, `>>`, `>|`, `&>`, `&>>`, `<`, `<<<`, `<<`, `<<-`, `>&` or `<&` (`>&-` is `>&` with target `-`). */
  op: string;
  /** The file descriptor written before the operator (`2` in `2>`), if any. */
  fd?: string;
  /** The target after quote removal; expansions are kept as written (`$HOME/x`, `$(pwd)`, `<(sort a)`); a here-document's delimiter. */
  target: string;
  /** The target holds an expansion, so its value is only known at run time. */
  dynamic: boolean;
  /** The target holds unquoted glob or brace characters (see SimpleCommand `expands`). */
  expands?: boolean;
}

/** A program with its arguments, as the shell would run it. */
export interface SimpleCommand {
  /** Words after quote removal; leading assignments (`X=1`) included, and `[[`…`]]` for a test. */
  words: string[];
  /** `dynamic[i]`: `words[i]` holds an expansion (`$X`, `$(…)`, backticks, braces) only known at run time. */
  dynamic: boolean[];
  /** `expands[i]`: `words[i]` holds unquoted glob or brace characters, so the shell may turn it into other words. */
  expands: boolean[];
  redirects: Redirect[];
  /** The commands of the previous pipeline stage: in `a | b`, b's `stdinFrom` is [a]. */
  stdinFrom: SimpleCommand[];
  /** Commands run to compute this command's words and redirections (`$(…)`, backticks, `<(…)`), at any depth. */
  inner: SimpleCommand[];
}

export interface ParsedCommandLine {
  /** Every simple command of the line, nested ones included, in the order they are read to the end. */
  commands: SimpleCommand[];
  /** Functions the line defines; their bodies are among `commands`, since they may be called. */
  functions: string[];
  /** Variables `for NAME in …` and `select NAME in …` set, as an assignment in the shell would. */
  loopVariables?: string[];
  /** Why the line cannot be analysed (a phrase: "it has an unclosed double quote"); `commands` may be incomplete. */
  error?: string;
}

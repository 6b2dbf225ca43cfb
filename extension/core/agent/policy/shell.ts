// A shell command-line splitter for the approval policy. It finds every simple command a line
// would run and every file it would redirect into, so each can be judged on its own. It follows
// POSIX sh, plus the bash forms agents write, where that matters for safety: quotes (`'…'`,
// `"…"`, `$'…'`) and backslashes; `;` `&&` `||` `|` `&` and newlines; `$(…)`, `$((…))` and
// backticks at any depth; `( … )` and `{ …; }`; `<(…)` and `>(…)`; redirections; function
// definitions. What runs behind wrappers (`env X=1 cmd`, `sh -c '…'`, `xargs`) is wrappers.ts.
//
// It is a safety net, not a shell. It expands nothing (variables, globs, braces, aliases): an
// expansion stays in its word as written and marks the word dynamic, so the policy never has to
// guess a value. Here-documents, `case`, `$((` that may be a command, and anything unbalanced stop
// it with an `error`, and the policy then asks a person: what it cannot read it never allows.

/** One redirection of a simple command, e.g. `2>>log.txt`. */
export interface Redirect {
  /** `>`, `>>`, `>|`, `&>`, `&>>`, `<>`, `<`, `<<<`, `>&` or `<&`. */
  op: string;
  /** The file descriptor written before the operator (`2` in `2>`), if any. */
  fd?: string;
  /** The target after quote removal; expansions are kept as written (`$HOME/x`, `$(pwd)`, `<(sort a)`). */
  target: string;
  /** The target holds an expansion, so its value is only known at run time. */
  dynamic: boolean;
}

/** A program with its arguments, as the shell would run it. */
export interface SimpleCommand {
  /** Words after quote removal; leading assignments (`X=1`) and reserved words (`if`, `then`…) included. */
  words: string[];
  /** `dynamic[i]`: `words[i]` holds an expansion (`$X`, `$(…)`, backticks) only known at run time. */
  dynamic: boolean[];
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
  /** Why the line cannot be analysed (a phrase: "it has an unclosed double quote"); `commands` then holds what came before. */
  error?: string;
}

export function splitCommand(line: string): ParsedCommandLine {
  const out: ParsedCommandLine = { commands: [], functions: [] };
  try {
    new Parser(line, out, 0).list(undefined);
  } catch (error) {
    // A RangeError is the stack running out on a pathological line (`f() g() h() …` many times over).
    if (!(error instanceof ParseError || error instanceof RangeError)) throw error;
    out.error = error instanceof ParseError ? error.message : "it is nested too deeply";
  }
  return out;
}

const MAX_DEPTH = 32;
const BLANKS = " \t\r";
const METACHARS = " \t\r\n;&|<>()";
// Longest first, so `>>` is not read as `>` followed by `>`.
const REDIRECT_OPS = ["&>>", "&>", "<<<", "<<-", "<<", "<>", "<&", ">>", ">&", ">|", "<", ">"];
// `$'…'` escapes: one letter (`\n`), or a number (`\x2f`, `\u00e9`, `\057`) read by the pattern in that radix.
const ANSI_C_LETTERS = new Map(
  Object.entries({ n: "\n", t: "\t", r: "\r", a: "\x07", b: "\b", e: "\x1b", E: "\x1b", f: "\f", v: "\v" }),
);
const ANSI_C_NUMBERS: [RegExp, number][] = [
  [/x([0-9a-fA-F]{1,2})/y, 16],
  [/u([0-9a-fA-F]{1,4})/y, 16],
  [/U([0-9a-fA-F]{1,8})/y, 16],
  [/([0-7]{1,3})/y, 8],
];

class ParseError extends Error {}

/** The commands a piece of the line runs; `main` leaves out those nested in substitutions. */
interface Group {
  all: SimpleCommand[];
  main: SimpleCommand[];
}

function newCommand(): SimpleCommand {
  return { words: [], dynamic: [], redirects: [], stdinFrom: [], inner: [] };
}

function merge(into: Group, from: Group): void {
  into.all.push(...from.all);
  into.main.push(...from.main);
}

class Parser {
  private pos = 0;

  constructor(
    private readonly src: string,
    private readonly out: ParsedCommandLine,
    private depth: number,
  ) {}

  /** Commands separated by `;`, `&`, `&&`, `||` and newlines, up to `closer` or the end. */
  list(closer: ")" | "}" | undefined): Group {
    if (++this.depth > MAX_DEPTH) throw new ParseError("it is nested too deeply");
    const group: Group = { all: [], main: [] };
    for (;;) {
      // Stray separators are skipped rather than refused: the rest is analysed either way.
      this.skipBlanks("\n;&|");
      if (this.pos >= this.src.length) {
        if (closer) throw new ParseError(`it has a "${closer === ")" ? "(" : "{"}" that is never closed`);
        break;
      }
      if (closer === ")" && this.peek(")")) {
        this.pos++;
        break;
      }
      if (closer === "}" && this.atReserved("}")) {
        this.pos++;
        break;
      }
      if (this.peek(")")) throw new ParseError('it has a ")" without a matching "("');
      merge(group, this.pipeline());
    }
    this.depth--;
    return group;
  }

  private pipeline(): Group {
    const group: Group = { all: [], main: [] };
    let previous: SimpleCommand[] = [];
    for (;;) {
      const stage = this.element();
      for (const command of stage.main) command.stdinFrom.push(...previous);
      merge(group, stage);
      this.skipBlanks();
      if (this.peek("||") || !this.peek("|")) return group;
      this.pos += this.peek("|&") ? 2 : 1;
      this.skipBlanks("\n");
      previous = stage.main;
    }
  }

  private element(): Group {
    this.skipBlanks();
    while (this.atReserved("!")) {
      this.pos++;
      this.skipBlanks();
    }
    if (this.peek("(")) {
      this.pos++;
      return this.compound(this.list(")"));
    }
    if (this.atReserved("{")) {
      this.pos++;
      return this.compound(this.list("}"));
    }
    return this.simple();
  }

  /** Redirections after `( … )` or `{ …; }` apply to every command inside. */
  private compound(body: Group): Group {
    const carrier = newCommand();
    this.redirections(carrier);
    if (carrier.redirects.length === 0) return body;
    const all = [...carrier.inner, ...body.all];
    if (body.main.length === 0) {
      this.out.commands.push(carrier);
      return { all: [...all, carrier], main: [carrier] };
    }
    for (const command of body.main) {
      command.redirects.push(...carrier.redirects);
      command.inner.push(...carrier.inner);
    }
    return { all, main: body.main };
  }

  private redirections(command: SimpleCommand): void {
    for (;;) {
      this.skipBlanks();
      const start = this.pos;
      let fd = "";
      while (/[0-9]/.test(this.src[this.pos] ?? "")) fd += this.src[this.pos++];
      if (!this.atRedirect()) {
        this.pos = start;
        return;
      }
      this.redirect(command, fd || undefined);
    }
  }

  private simple(): Group {
    const command = newCommand();
    for (;;) {
      this.skipBlanks();
      const ch = this.src[this.pos];
      if (ch === undefined) break;
      if (this.atRedirect()) {
        this.redirect(command, undefined);
        continue;
      }
      if (ch === "(") {
        // `name() body`: the name is not run; the body is analysed as if it were, since it may be called.
        if (command.words.length === 1 && command.redirects.length === 0 && /^\(\s*\)/.test(this.src.slice(this.pos))) {
          return this.functionBody(command, command.words[0] ?? "");
        }
        throw new ParseError('it has a "(" in an unexpected place');
      }
      if (METACHARS.includes(ch) && !this.atProcessSubstitution()) break;
      const word = this.word(command.inner);
      if (!word.quoted && /^[0-9]+$/.test(word.text) && this.atRedirect()) {
        this.redirect(command, word.text);
        continue;
      }
      if (command.words.length === 0 && !word.quoted && word.text === "case") {
        throw new ParseError("case statements are not analysed");
      }
      command.words.push(word.text);
      command.dynamic.push(word.dynamic);
      if (command.words.length === 2 && command.words[0] === "function") {
        return this.functionBody(command, word.text);
      }
    }
    if (command.words.length === 0 && command.redirects.length === 0) return { all: [...command.inner], main: [] };
    this.out.commands.push(command);
    return { all: [...command.inner, command], main: [command] };
  }

  private functionBody(header: SimpleCommand, name: string): Group {
    this.out.functions.push(name);
    const parens = /^\s*\(\s*\)/.exec(this.src.slice(this.pos));
    if (parens) this.pos += parens[0].length;
    this.skipBlanks("\n");
    const body = this.element();
    return { all: [...header.inner, ...body.all], main: body.main };
  }

  private redirect(command: SimpleCommand, fd: string | undefined): void {
    const op = REDIRECT_OPS.find((candidate) => this.peek(candidate)) ?? ">";
    if (op === "<<" || op === "<<-") throw new ParseError("here-documents (<<) are not analysed");
    this.pos += op.length;
    this.skipBlanks();
    const ch = this.src[this.pos];
    if (ch === undefined || (METACHARS.includes(ch) && !this.atProcessSubstitution())) {
      throw new ParseError(`"${op}" has no target`);
    }
    const word = this.word(command.inner);
    command.redirects.push({ op, ...(fd === undefined ? {} : { fd }), target: word.text, dynamic: word.dynamic });
  }

  /** One word, quotes removed; `quoted` when any part was quoted or escaped (`"2">x` is no descriptor). */
  private word(inner: SimpleCommand[]): { text: string; dynamic: boolean; quoted: boolean } {
    const start = this.pos;
    let text = "";
    let dynamic = false;
    let quoted = false;
    for (;;) {
      const ch = this.src[this.pos];
      if (ch === undefined) break;
      if (this.pos === start && this.atProcessSubstitution()) {
        this.pos += 2;
        inner.push(...this.list(")").all);
        text += this.src.slice(start, this.pos);
        dynamic = true;
      } else if (METACHARS.includes(ch)) {
        break;
      } else if (ch === "\\") {
        const next = this.src[this.pos + 1];
        if (next === undefined) throw new ParseError("it ends with a backslash");
        if (next !== "\n") text += next;
        this.pos += 2;
        quoted = true;
      } else if (ch === "'") {
        const end = this.src.indexOf("'", this.pos + 1);
        if (end < 0) throw new ParseError("it has an unclosed single quote");
        text += this.src.slice(this.pos + 1, end);
        this.pos = end + 1;
        quoted = true;
      } else if (ch === '"') {
        this.pos++;
        const part = this.doubleQuoted(inner);
        text += part.text;
        dynamic ||= part.dynamic;
        quoted = true;
      } else if (ch === "$" && this.src[this.pos + 1] === "'") {
        this.pos += 2;
        text += this.ansiC();
        quoted = true;
      } else if (ch === "$" && this.src[this.pos + 1] === '"') {
        this.pos++; // `$"…"` is a translated string: read on as a double-quoted one
      } else if (ch === "$") {
        const part = this.dollar(inner);
        text += part.text;
        dynamic ||= part.dynamic;
      } else if (ch === "`") {
        text += this.backtick(inner, false);
        dynamic = true;
      } else {
        text += ch;
        this.pos++;
      }
    }
    return { text, dynamic, quoted };
  }

  /** After the opening `"`: backslash escapes only `$`, backtick, `"`, `\` and newline. */
  private doubleQuoted(inner: SimpleCommand[]): { text: string; dynamic: boolean } {
    let text = "";
    let dynamic = false;
    for (;;) {
      const ch = this.src[this.pos];
      if (ch === undefined) throw new ParseError("it has an unclosed double quote");
      if (ch === '"') {
        this.pos++;
        return { text, dynamic };
      }
      if (ch === "\\") {
        const next = this.src[this.pos + 1];
        if (next === undefined) throw new ParseError("it has an unclosed double quote");
        if ('$`"\\'.includes(next)) text += next;
        else if (next !== "\n") text += ch + next;
        this.pos += 2;
      } else if (ch === "$") {
        const part = this.dollar(inner);
        text += part.text;
        dynamic ||= part.dynamic;
      } else if (ch === "`") {
        text += this.backtick(inner, true);
        dynamic = true;
      } else {
        text += ch;
        this.pos++;
      }
    }
  }

  /** At `$`: a substitution, arithmetic, or parameter, kept as written; a lone `$` is literal. */
  private dollar(inner: SimpleCommand[]): { text: string; dynamic: boolean } {
    const start = this.pos;
    const next = this.src[this.pos + 1] ?? "";
    if (this.peek("$((")) {
      this.pos += 3;
      this.arithmetic(inner);
    } else if (next === "(") {
      this.pos += 2;
      inner.push(...this.list(")").all);
    } else if (next === "{") {
      this.pos += 2;
      this.braced(inner);
    } else if (/[A-Za-z_]/.test(next)) {
      this.pos++;
      while (/[A-Za-z0-9_]/.test(this.src[this.pos] ?? "")) this.pos++;
    } else if (/[0-9?#@*!$-]/.test(next)) {
      this.pos += 2;
    } else {
      this.pos++;
      return { text: "$", dynamic: false };
    }
    return { text: this.src.slice(start, this.pos), dynamic: true };
  }

  /** After `$((`, up to the matching `))`. A `)` that closes early means bash may read a command instead. */
  private arithmetic(inner: SimpleCommand[]): void {
    let depth = 0;
    for (;;) {
      const ch = this.src[this.pos];
      if (ch === undefined) throw new ParseError('it has an unclosed "$(("');
      if (ch === ")" && depth === 0) {
        if (this.src[this.pos + 1] !== ")") throw new ParseError('it has a "$((" that may be a command');
        this.pos += 2;
        return;
      }
      this.nestedChar(inner, ch, () => (depth += ch === "(" ? 1 : ch === ")" ? -1 : 0));
    }
  }

  /** After `${`, up to the matching `}`; `${x:-$(cmd)}` runs cmd. */
  private braced(inner: SimpleCommand[]): void {
    let depth = 0;
    for (;;) {
      const ch = this.src[this.pos];
      if (ch === undefined) throw new ParseError('it has an unclosed "${"');
      if (ch === "}" && depth === 0) {
        this.pos++;
        return;
      }
      this.nestedChar(inner, ch, () => (depth += ch === "{" ? 1 : ch === "}" ? -1 : 0));
    }
  }

  /** One step inside `$((…))` or `${…}`: quotes and substitutions are followed, anything else counted. */
  private nestedChar(inner: SimpleCommand[], ch: string, count: () => void): void {
    if (ch === "\\") this.pos += 2;
    else if (ch === '"') {
      this.pos++;
      this.doubleQuoted(inner);
    } else if (ch === "'") {
      const end = this.src.indexOf("'", this.pos + 1);
      if (end < 0) throw new ParseError("it has an unclosed single quote");
      this.pos = end + 1;
    } else if (ch === "$") this.dollar(inner);
    else if (ch === "`") this.backtick(inner, true);
    else {
      count();
      this.pos++;
    }
  }

  /** At a backtick: the body, unescaped as sh does, is parsed as a command line of its own. */
  private backtick(inner: SimpleCommand[], inDoubleQuotes: boolean): string {
    const start = this.pos++;
    let body = "";
    for (;;) {
      const ch = this.src[this.pos];
      if (ch === undefined) throw new ParseError("it has an unclosed backtick");
      if (ch === "`") {
        this.pos++;
        break;
      }
      const next = this.src[this.pos + 1];
      if (ch === "\\" && next !== undefined && ("$`\\".includes(next) || (inDoubleQuotes && next === '"'))) {
        body += next;
        this.pos += 2;
      } else {
        body += ch;
        this.pos++;
      }
    }
    inner.push(...new Parser(body, this.out, this.depth).list(undefined).all);
    return this.src.slice(start, this.pos);
  }

  /** After `$'`: C escapes are decoded, so `$'\x2f'` is `/`. */
  private ansiC(): string {
    let text = "";
    for (;;) {
      const ch = this.src[this.pos];
      if (ch === undefined) throw new ParseError("it has an unclosed $'…' quote");
      this.pos++;
      if (ch === "'") return text;
      text += ch === "\\" ? this.ansiEscape() : ch;
    }
  }

  private ansiEscape(): string {
    const ch = this.src[this.pos];
    if (ch === undefined) throw new ParseError("it has an unclosed $'…' quote");
    const letter = ANSI_C_LETTERS.get(ch) ?? ("\\'\"?".includes(ch) ? ch : undefined);
    if (letter !== undefined) {
      this.pos++;
      return letter;
    }
    for (const [pattern, radix] of ANSI_C_NUMBERS) {
      pattern.lastIndex = this.pos;
      const match = pattern.exec(this.src);
      if (!match) continue;
      this.pos += match[0].length;
      const code = parseInt(match[1] ?? "", radix);
      return code <= 0x10ffff ? String.fromCodePoint(code) : "\ufffd";
    }
    if (ch === "c" && this.src[this.pos + 1] !== undefined) {
      this.pos += 2;
      return String.fromCharCode(this.src.charCodeAt(this.pos - 1) & 0x1f);
    }
    this.pos++;
    return "\\" + ch;
  }

  /** Blanks, line continuations and, since this is only called between words, `#` comments. */
  private skipBlanks(alsoSkip = ""): void {
    for (;;) {
      const ch = this.src[this.pos];
      if (ch !== undefined && (BLANKS + alsoSkip).includes(ch)) this.pos++;
      else if (ch === "\\" && this.src[this.pos + 1] === "\n") this.pos += 2;
      else if (ch === "#") {
        const end = this.src.indexOf("\n", this.pos);
        this.pos = end < 0 ? this.src.length : end;
      } else return;
    }
  }

  private peek(text: string): boolean {
    return this.src.startsWith(text, this.pos);
  }

  /** A reserved word such as `{` counts only as a word of its own. */
  private atReserved(word: string): boolean {
    const after = this.src[this.pos + word.length];
    return this.peek(word) && (after === undefined || METACHARS.includes(after));
  }

  private atProcessSubstitution(): boolean {
    return this.peek("<(") || this.peek(">(");
  }

  private atRedirect(): boolean {
    const ch = this.src[this.pos];
    if (ch === "&") return this.src[this.pos + 1] === ">";
    return (ch === "<" || ch === ">") && this.src[this.pos + 1] !== "(";
  }
}

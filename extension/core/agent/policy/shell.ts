// The command line as the approval policy sees it: every simple command it would run and every
// file it would redirect into, so each can be judged on its own. It walks the syntax tree of
// tree-sitter's bash grammar (grammar.ts). What runs behind wrappers (`env X=1 cmd`,
// `sh -c '…'`, `xargs`) is wrappers.ts.
//
// It is a safety net, not a shell. It expands nothing (variables, globs, braces, aliases): an
// expansion stays in its word as written and marks the word dynamic, so the policy never has to
// guess a value. Every node kind it meets has a rule here or in words.ts; anything else, and
// every ERROR or MISSING node, stops it with an `error`, and the policy then asks a person: what
// it cannot read it never allows. Where the grammar is known to read a line differently from bash
// (a carriage return before `#`, quotes inside `${…}`), the line is refused too.
//
// Over 300 lines on purpose: one rule per node kind of the grammar, in one walker, so that a kind
// without a rule is visibly missing here rather than spread over files.

import type { ShellGrammar, SyntaxNode } from "./grammar";
import { arithmetic, readWord, subscript, type Word, type WordWalker } from "./words";
import { isAssignment } from "./wrappers";
import type { ParsedCommandLine, Redirect, SimpleCommand } from "./commandLine";

export type { ParsedCommandLine, Redirect, SimpleCommand };

export function splitCommand(line: string, grammar: ShellGrammar): ParsedCommandLine {
  const out: ParsedCommandLine = { commands: [], functions: [] };
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const control = /[\x00-\x08\x0b-\x1f\x7f]/.exec(line);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(4, "0").toUpperCase();
    out.error = `it holds a control character (U+${code}) that shells and this checker may read differently`;
  }
  const root = grammar.parse(line);
  if (root) new Walker(grammar, out).program(root);
  else out.error ??= "it is too long or too tangled to read in time";
  return out;
}

/**
 * The first ERROR or MISSING node, in reading order, to name it; a loop with a bound, since a
 * pathological line nests thousands deep (the caller knows there is one from `hasError`).
 */
function firstProblem(root: SyntaxNode): SyntaxNode | undefined {
  const stack = [root];
  let steps = 0;
  for (let node = stack.pop(); node && ++steps < 2000; node = stack.pop()) {
    if (node.isMissing || node.type === "ERROR") return node;
    if (!node.hasError) continue;
    for (let i = node.childCount - 1; i >= 0; i--) {
      const child = node.child(i);
      if (child) stack.push(child); // never null here; the type allows it
    }
  }
  return undefined;
}

/** The commands a piece of the line runs; `main` leaves out those nested in substitutions. */
interface Group {
  all: SimpleCommand[];
  main: SimpleCommand[];
}

// Deep enough for any real line; a pathological one (`$(` five thousand times) asks instead of overflowing the stack.
const MAX_DEPTH = 150;
const REDIRECTS = new Set(["file_redirect", "heredoc_redirect", "herestring_redirect"]);
// Statements whose named children are statements, run in order.
const BLOCKS = new Set([
  "program",
  "subshell",
  "do_group",
  "if_statement",
  "elif_clause",
  "else_clause",
  "while_statement",
  "negated_command",
  "list",
]);

function literal(text: string): Word {
  return { text, dynamic: false, expands: false, quoted: false };
}

function newCommand(): SimpleCommand {
  return { words: [], dynamic: [], expands: [], redirects: [], stdinFrom: [], inner: [] };
}

function empty(): Group {
  return { all: [], main: [] };
}

function merge(into: Group, from: Group): void {
  into.all.push(...from.all);
  into.main.push(...from.main);
}

function pushWord(command: SimpleCommand, word: Word): void {
  command.words.push(word.text);
  command.dynamic.push(word.dynamic);
  command.expands.push(word.expands);
}

class Walker implements WordWalker {
  private depth = 0;
  /** The commands that read what is written into a `>(…)`, until the writer is known (`feed`). */
  private readonly readers = new Set<SimpleCommand>();

  constructor(
    private readonly grammar: ShellGrammar,
    private readonly out: ParsedCommandLine,
  ) {}

  fail(why: string): void {
    this.out.error ??= why;
  }

  enter(): boolean {
    if (++this.depth <= MAX_DEPTH) return true;
    this.depth--;
    this.fail("it is nested too deeply");
    return false;
  }

  leave(): void {
    this.depth--;
  }

  /** A whole line (or a backtick body read again): refused when the grammar could not read all of it. */
  program(root: SyntaxNode): Group {
    if (root.hasError) {
      const problem = firstProblem(root);
      this.fail(!problem ? "it has a syntax error" : problem.isMissing ? missing(problem.type) : syntaxError(problem));
    }
    return this.statements(root);
  }

  /** The named children of `node`, each a statement, in order. */
  statements(node: SyntaxNode): Group {
    const group = empty();
    // The grammar takes `ls ;; pwd` without an error; bash only takes `;;` to end a case item.
    if (node.children.some((child) => !child.isNamed && /^;;?&?$/.test(child.type) && child.type !== ";"))
      this.fail('it has ";;" outside a case, a syntax error in bash');
    for (const child of node.namedChildren) merge(group, this.statement(child));
    return group;
  }

  private statement(node: SyntaxNode): Group {
    if (!this.enter()) return empty();
    try {
      return this.statementInner(node);
    } finally {
      this.leave();
    }
  }

  private statementInner(node: SyntaxNode): Group {
    if (node.isMissing) {
      this.fail(missing(node.type));
      return empty();
    }
    if (BLOCKS.has(node.type)) return this.statements(node);
    switch (node.type) {
      case "comment":
        return empty();
      case "command":
      case "variable_assignment":
      case "variable_assignments":
      case "declaration_command":
      case "unset_command":
      case "test_command":
        return this.simple(node);
      case "pipeline":
        return this.pipeline(node.namedChildren);
      case "compound_statement":
        if (node.firstChild?.type !== "((") return this.statements(node);
        // `(( 1 + 2 ))` with constants only: judged like `[[ … ]]`, a command by its words.
        arithmetic(node, this);
        return this.simple(node);
      case "redirected_statement":
        return this.redirected(node);
      case "function_definition":
        return this.functionDefinition(node);
      case "for_statement":
      case "case_statement":
      case "case_item":
        return this.withValues(node);
      case "c_style_for_statement":
        this.fail("it has a for ((…)) loop, which does arithmetic over variables");
        return this.statements(node);
      case "ERROR":
        this.fail(syntaxError(node));
        return empty();
      default:
        this.fail(`it uses ${node.type.replace(/_/g, " ")}, which is not analysed`);
        return empty();
    }
  }

  substitution(node: SyntaxNode, into: SimpleCommand[], inDoubleQuotes: boolean): void {
    const open = node.firstChild;
    if (open?.type === "`") {
      // Inside backticks a backslash before $, ` and \ (and " within double quotes) is removed before
      // the body is read again as a command line, so `a \`b\`` runs b: read it again here too.
      const close = node.lastChild?.type === "`" ? node.lastChild.startIndex : node.endIndex;
      const body = node.text.slice(open.endIndex - node.startIndex, close - node.startIndex);
      const unescaped = body.replace(inDoubleQuotes ? /\\([$`\\"])/g : /\\([$`\\])/g, "$1");
      const root = this.grammar.parse(unescaped);
      if (root) into.push(...this.program(root).all);
      else this.fail("it is too long or too tangled to read in time");
      return;
    }
    for (const child of node.namedChildren) {
      // `$(< file)` reads the file; it runs nothing.
      if (child.type === "file_redirect" && child.children.some((c) => c.type === "<")) {
        const target = child.childForFieldName("destination");
        if (target) readWord(target, this, into);
        continue;
      }
      const walked = this.statement(child);
      if (open?.type === ">(") for (const reader of walked.main) this.readers.add(reader);
      into.push(...walked.all);
    }
  }

  private simple(node: SyntaxNode): Group {
    const command = newCommand();
    const children = node.type === "variable_assignment" ? [node] : node.children;
    for (const [i, child] of children.entries()) {
      const before = children[i - 1];
      // `r\<newline>m -rf ~`: the shell drops the backslash and line break and runs rm; the grammar reads two words.
      if (before && /^(\\\n)+$/.test(node.text.slice(before.endIndex - node.startIndex, child.startIndex - node.startIndex)))
        this.fail("it joins two words with a backslash at the end of a line, which the checker reads as two");
      if (REDIRECTS.has(child.type)) this.redirect(child, command, []);
      else if (child.type === "variable_assignment") pushWord(command, this.assignment(child, command.inner));
      else if (child.type === "$" && children[i + 1]?.startIndex === child.endIndex) {
        this.fail('it has a translated string ($"…"), which is not analysed');
      } else if (node.type === "test_command") this.testPart(child, command);
      else if (node.type === "compound_statement") pushWord(command, literal(child.isNamed ? child.text : child.type));
      else if (child.type === "subshell" || child.type === "compound_statement") {
        // `time (npm test)`: the grammar reads `time` as a command and the group as its argument.
        if (command.words.length !== 1 || command.words[0] !== "time")
          this.fail(`it has a ${child.type.replace(/_/g, " ")} as an argument`);
        return this.statement(child);
      }
      // The keyword of `export`, `declare`, `unset`…, or a lone `$`.
      else if (!child.isNamed) pushWord(command, literal(child.type));
      else pushWord(command, this.word(child, command.inner));
    }
    if (command.words.length === 0 && command.redirects.length === 0) return { all: [...command.inner], main: [] };
    const trapped = this.trap(command);
    this.out.commands.push(command);
    this.feed(command.inner, [command]);
    return { all: [...command.inner, ...trapped, command], main: [command] };
  }

  /**
   * `trap 'rm -rf ~' EXIT`: the shell runs the string as a command line when the signal comes
   * (DEBUG before every later command), so its commands are read as if they were on the line.
   */
  private trap(command: SimpleCommand): SimpleCommand[] {
    const { words, dynamic } = command;
    let i = words.findIndex((word, k) => dynamic[k] || !isAssignment(word));
    while (words[i] === "builtin" || words[i] === "command") i++;
    if (words[i] !== "trap" || dynamic[i]) return [];
    if (words[++i] === "--") i++;
    const action = words[i];
    // One operand, `-` or a signal number first: the signals are reset, nothing is set to run; `-p`, `-l` print.
    if (action === undefined || words[i + 1] === undefined || action.startsWith("-") || /^[0-9]+$/.test(action)) return [];
    if (dynamic[i]) {
      this.fail("it sets a trap whose command is only known when it runs");
      return [];
    }
    const root = this.grammar.parse(action);
    if (!root) {
      this.fail("it is too long or too tangled to read in time");
      return [];
    }
    const trapped = this.program(root).all;
    // The folder a later command runs in would depend on when the signal comes.
    if (trapped.some((inner) => ["cd", "pushd", "popd"].includes(inner.words.find((word) => !isAssignment(word)) ?? "")))
      this.fail("it sets a trap that changes folder, so where later commands run depends on when it fires");
    return trapped;
  }

  /**
   * `echo 'rm -rf ~' > >(sh)`, `tee >(sh)`: what `writers` write reaches the stdin of the commands in
   * their `>(…)` process substitutions, found among `inner` (marked by `readers`).
   */
  private feed(inner: SimpleCommand[], writers: SimpleCommand[]): void {
    for (const reader of inner) {
      if (this.readers.delete(reader)) reader.stdinFrom.push(...writers);
    }
  }

  /** `[[ … ]]` and `[ … ]`: brackets, operators and operands as the words of one command. */
  private testPart(node: SyntaxNode, command: SimpleCommand): void {
    if (["binary_expression", "unary_expression", "parenthesized_expression"].includes(node.type)) {
      for (const child of node.children) this.testPart(child, command);
    } else if (node.isNamed) pushWord(command, this.word(node, command.inner));
    else pushWord(command, literal(node.type));
  }

  private word(node: SyntaxNode, inner: SimpleCommand[]): Word {
    if (node.isMissing) this.fail(missing(node.type));
    if (node.type === "ERROR") this.fail(syntaxError(node));
    return readWord(node, this, inner);
  }

  /** `X=1`, `a+=(x y)`, `a[0]=x`: one word, as written before the command. */
  private assignment(node: SyntaxNode, inner: SimpleCommand[]): Word {
    const name = node.childForFieldName("name");
    const value = node.childForFieldName("value");
    if (name?.type === "subscript") subscript(name, this);
    const operator = node.children.find((c) => c.type === "=" || c.type === "+=")?.type ?? "=";
    const read = value ? this.word(value, inner) : literal("");
    return { ...read, text: `${name?.text ?? ""}${operator}${read.text}`, expands: false };
  }

  private pipeline(stages: SyntaxNode[]): Group {
    // The grammar reads `a | b && c` at the end of a longer pipeline as `a | (b && c)`; bash runs
    // `(a | b) && c`. The first part of that list is the pipeline's last stage, the rest follows it.
    const last = stages.at(-1);
    let rest: SyntaxNode[] = [];
    if (last?.type === "list") {
      const parts = flattenList(last);
      const head = parts.shift();
      stages = [...stages.slice(0, -1), ...(head?.type === "pipeline" ? head.namedChildren : head ? [head] : [])];
      rest = parts;
    }
    const group = empty();
    let previous: SimpleCommand[] = [];
    for (const stage of stages) {
      if (stage.type === "list") this.fail("it has a pipeline the checker cannot read");
      const walked = this.statement(stage);
      for (const command of walked.main) command.stdinFrom.push(...previous);
      merge(group, walked);
      previous = walked.main;
    }
    for (const part of rest) merge(group, this.statement(part));
    return group;
  }

  /** A statement with redirections, which apply to every command inside. */
  private redirected(node: SyntaxNode): Group {
    const carrier = newCommand();
    const extra = newCommand();
    const follow: SyntaxNode[] = [];
    for (const child of node.children) {
      if (REDIRECTS.has(child.type)) this.redirect(child, carrier, follow, extra);
      else if (child.type === "ERROR") this.fail(syntaxError(child));
      else if (child.isNamed && child.field !== "body")
        this.fail(`it uses ${child.type.replace(/_/g, " ")} after a redirection, which is not analysed`);
    }
    const bodyNode = node.childForFieldName("body");
    const body = bodyNode ? this.statement(bodyNode) : empty();
    if (extra.words.length > 0) {
      // `echo a > f b`: b is one more argument of echo.
      const only = body.main.length === 1 && bodyNode?.type === "command" ? body.main[0] : undefined;
      if (only)
        for (const [i, text] of extra.words.entries())
          pushWord(only, { text, dynamic: extra.dynamic[i] ?? false, expands: extra.expands[i] ?? false, quoted: false });
      else this.fail("it has words after a redirection that the checker cannot place");
    }
    const group = this.carry(body, carrier);
    // A here-document's line goes on after its start: `cat <<EOF | sh` or `cat <<EOF && ls`.
    for (const next of follow) {
      if (next.type === "pipeline") {
        const stages = next.namedChildren;
        const piped = this.pipeline(stages);
        const first = stages[0] ? piped.main.filter((c) => c.stdinFrom.length === 0) : [];
        for (const command of first) command.stdinFrom.push(...group.main);
        merge(group, piped);
      } else merge(group, this.statement(next));
    }
    return group;
  }

  private carry(body: Group, carrier: SimpleCommand): Group {
    if (carrier.redirects.length === 0) return { all: [...carrier.inner, ...body.all], main: body.main };
    if (body.main.length === 0) {
      this.out.commands.push(carrier);
      this.feed(carrier.inner, [carrier]);
      return { all: [...carrier.inner, ...body.all, carrier], main: [carrier] };
    }
    this.feed(carrier.inner, body.main);
    for (const command of body.main) {
      command.redirects.push(...carrier.redirects);
      command.inner.push(...carrier.inner);
    }
    return { all: [...carrier.inner, ...body.all], main: body.main };
  }

  private redirect(node: SyntaxNode, command: SimpleCommand, follow: SyntaxNode[], extra?: SimpleCommand): void {
    const fd = node.childForFieldName("descriptor")?.text;
    const operator = node.children.find((c) => !c.isNamed && c.type !== "heredoc_start")?.type ?? "";
    const add = (op: string, word: Word): void => {
      const expands = word.expands ? { expands: true } : {};
      command.redirects.push({ op, ...(fd === undefined ? {} : { fd }), target: word.text, dynamic: word.dynamic, ...expands });
    };
    if (node.type === "herestring_redirect") {
      const target = node.namedChildren.find((c) => c.type !== "file_descriptor");
      return target ? add("<<<", this.word(target, command.inner)) : this.fail('"<<<" has no word');
    }
    if (node.type === "heredoc_redirect") return this.heredoc(node, command, follow, add, extra);
    if (operator === ">&-" || operator === "<&-") return add(operator.slice(0, 2), literal("-"));
    const targets = node.childrenForFieldName("destination");
    const [target, ...more] = targets;
    if (!target) return this.fail(`"${operator}" has no target`);
    add(operator, this.word(target, command.inner));
    for (const word of more) {
      if (extra) pushWord(extra, this.word(word, command.inner));
      else this.fail("it has words after a redirection that the checker cannot place");
    }
  }

  /** `<<EOF`: the body is stdin; without quotes on the delimiter its expansions run, as in double quotes. */
  private heredoc(
    node: SyntaxNode,
    command: SimpleCommand,
    follow: SyntaxNode[],
    add: (op: string, word: Word) => void,
    extra: SimpleCommand | undefined,
  ): void {
    const op = node.children.find((c) => c.type === "<<" || c.type === "<<-")?.type ?? "<<";
    const start = node.children.find((c) => c.type === "heredoc_start");
    add(op, literal(start?.text ?? ""));
    for (const child of node.namedChildren) {
      if (["heredoc_start", "heredoc_end", "file_descriptor"].includes(child.type)) continue;
      if (REDIRECTS.has(child.type)) this.redirect(child, command, follow, extra);
      else if (child.field === "argument") {
        // `cat <<EOF -n`: -n is one more argument of cat.
        if (extra) pushWord(extra, this.word(child, command.inner));
        else this.fail("it has words after a here-document that the checker cannot place");
      } else if (child.type === "heredoc_body") {
        for (const part of child.namedChildren) {
          if (part.type !== "heredoc_content") readWord(part, this, command.inner, true);
        }
      } else follow.push(child);
    }
    const end = node.children.find((c) => c.type === "heredoc_end");
    if (start && end && !/['"\\]/.test(start.text)) this.unreadSubstitutions(node, start, end, command.inner);
  }

  /**
   * The grammar reads no backticks in a here-document's body, and no `$(…)` in some (`<<-` with
   * tabs), though the shell runs them. Between the delimiters, every backtick or `$(`, `${`, `$[`
   * outside what the grammar did read is found here: a backtick body is read as a command line, as
   * `substitution` does; the others are refused.
   */
  private unreadSubstitutions(node: SyntaxNode, start: SyntaxNode, end: SyntaxNode, into: SimpleCommand[]): void {
    const read = node.namedChildren
      .flatMap((child) => (child.type === "heredoc_body" ? child.namedChildren : [child]))
      .filter((child) => child !== start && child !== end && child.type !== "heredoc_content");
    const text = node.text.slice(start.endIndex - node.startIndex, end.startIndex - node.startIndex);
    const offset = start.endIndex;
    const isRead = (at: number) => read.some((child) => child.startIndex <= offset + at && offset + at < child.endIndex);
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch === "\\") i++;
      else if (ch === "$" && "({[".includes(text[i + 1] ?? " ") && !isRead(i)) {
        this.fail("it has a substitution in a here-document that the checker cannot read");
      } else if (ch === "`" && !isRead(i)) {
        let close = i + 1;
        while (close < text.length && text[close] !== "`") close += text[close] === "\\" ? 2 : 1;
        if (close >= text.length) return this.fail("it has an unclosed backtick in a here-document");
        const root = this.grammar.parse(text.slice(i + 1, close).replace(/\\([$`\\])/g, "$1"));
        if (root) into.push(...this.program(root).all);
        else this.fail("it is too long or too tangled to read in time");
        i = close;
      }
    }
  }

  /** `f() { …; }`: not run here, but it may be called, so its body is read as if it were. */
  private functionDefinition(node: SyntaxNode): Group {
    const name = node.childForFieldName("name");
    this.out.functions.push(name?.text ?? "");
    const carrier = newCommand();
    for (const child of node.childrenForFieldName("redirect")) this.redirect(child, carrier, []);
    const body = node.childForFieldName("body");
    return this.carry(body ? this.statement(body) : empty(), carrier);
  }

  /** `for x in WORDS`, `case WORD in PATTERN)`: the words are computed (their substitutions run), the bodies are statements. */
  private withValues(node: SyntaxNode): Group {
    const group = empty();
    const children = node.children;
    for (const [i, child] of children.entries()) {
      if (!child.isNamed) continue;
      const field = node.fieldNameForChild(i);
      if (field === "variable") {
        (this.out.loopVariables ??= []).push(child.text);
        continue;
      }
      if (field === "value") {
        const inner: SimpleCommand[] = [];
        this.word(child, inner);
        group.all.push(...inner);
      } else merge(group, this.statement(child));
    }
    return group;
  }
}

/** `a && b || c` as the grammar nests it, flattened: [a, b, c]. */
function flattenList(node: SyntaxNode): SyntaxNode[] {
  return node.namedChildren.flatMap((child) => (!child ? [] : child.type === "list" ? flattenList(child) : [child]));
}

const OPENERS: Record<string, string> = { ")": "(", "}": "{", "))": "((", "]]": "[[", "]": "[" };

/** A phrase for a closing token the grammar had to make up. */
function missing(type: string): string {
  if (type === '"') return "it has an unclosed double quote";
  if (type === "`") return "it has an unclosed backtick";
  const opener = OPENERS[type];
  return opener ? `it has a "${opener}" that is never closed` : `it is missing a closing "${type}"`;
}

/** A phrase for the first thing the grammar could not read. */
function syntaxError(node: SyntaxNode): string {
  const text = node.text.trim();
  if (node.parent && REDIRECTS.has(node.parent.type))
    return `it has a redirection it cannot read ("${node.parent.text.slice(0, 30)}")`;
  if (text.startsWith('"')) return "it has an unclosed double quote";
  if (text.startsWith("$'")) return "it has an unclosed $'…' quote";
  if (text.startsWith("'")) return "it has an unclosed single quote";
  if (text.startsWith("${")) return 'it has an unclosed "${"';
  if (text.startsWith("$((")) return 'it has a "$((" that may be a command';
  if (text.startsWith("\\")) return "it ends with a backslash";
  if (text.startsWith(")")) return 'it has a ")" without a matching "("';
  if (text.startsWith("{") || text.startsWith("(")) return `it has a "${text[0]}" that is never closed`;
  if (/^[<>&]/.test(text) && text.length <= 3) return `"${text}" has no target`;
  return `it has a syntax error near "${text.slice(0, 30)}"`;
}

// One shell word from the syntax tree: its text after quote removal, whether part of it is only
// known at run time, and whether the shell would still expand it (globs, braces). Expansions
// stay as written; the commands they run are walked by shell.ts. The forms whose value can run
// code the analyser does not see (arithmetic over variables, `${!x}`, `${x@P}`, quotes inside
// `${…}` in double quotes) are refused with a reason, never guessed.

import type { SyntaxNode } from "./grammar";
import type { SimpleCommand } from "./commandLine";

export interface Word {
  text: string;
  /** Holds an expansion (`$X`, `$(…)`, backticks, braces) whose value is only known at run time. */
  dynamic: boolean;
  /** Holds unquoted glob (`*`, `?`, `[…]`) or brace (`{a,b}`, `{1..3}`) characters, so it may become other words. */
  expands: boolean;
  /** Some part was quoted or escaped (`"2">x` is no file descriptor). */
  quoted: boolean;
}

/** What a word needs from the statement walker. */
export interface WordWalker {
  /** Walks the statements of `$(…)`, `<(…)` or a backtick body, adding the commands they run to `into`. */
  substitution(node: SyntaxNode, into: SimpleCommand[], inDoubleQuotes: boolean): void;
  /** Records why the line cannot be analysed; the first reason is kept. */
  fail(why: string): void;
  /** Counts nesting; false when too deep to follow. */
  enter(): boolean;
  leave(): void;
}

const ANSI_C_LETTERS: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  a: "\x07",
  b: "\b",
  e: "\x1b",
  E: "\x1b",
  f: "\f",
  v: "\v",
};
// Inside `$((…))`, `((…))` and subscripts only numbers and operators are plain: a name is read as a
// variable whose value is evaluated again as arithmetic, and `a[$(id)]` there runs id.
const PLAIN_ARITHMETIC = new Set([
  "number",
  "binary_expression",
  "unary_expression",
  "parenthesized_expression",
  "ternary_expression",
]);
const QUOTING = new Set([
  "raw_string",
  "string",
  "ansi_c_string",
  "translated_string",
  "command_substitution",
  "process_substitution",
]);
export const ARITHMETIC_OVER_VARIABLES =
  "it does arithmetic over variables, whose values bash evaluates again and can run commands";

class Builder {
  text = "";
  /** One letter per character of `text`: `u` when it came unquoted from the line. */
  mask = "";
  dynamic = false;
  quoted = false;

  add(text: string, unquoted: boolean): void {
    this.text += text;
    this.mask += (unquoted ? "u" : "q").repeat(text.length);
  }

  expansion(text: string): void {
    this.add(text, false);
    this.dynamic = true;
  }

  finish(): Word {
    let globs = false;
    let bracket = false;
    for (let i = 0; i < this.text.length; i++) {
      if (this.mask[i] !== "u") continue;
      const ch = this.text[i];
      if (ch === "*" || ch === "?" || (ch === "]" && bracket)) globs = true;
      else if (ch === "[") bracket = true;
    }
    const braces = this.text.includes("{") && hasBraceExpansion(this.text, this.mask);
    return { text: this.text, dynamic: this.dynamic || braces, expands: globs || braces, quoted: this.quoted };
  }
}

/** `{a,b}` or `{1..3}` with unquoted braces and separator; `{}` and `{x}` stay as they are. */
function hasBraceExpansion(text: string, mask: string): boolean {
  for (let open = text.indexOf("{"); open >= 0; open = text.indexOf("{", open + 1)) {
    if (mask[open] !== "u") continue;
    let depth = 0;
    let separated = false;
    for (let i = open + 1; i < text.length; i++) {
      if (mask[i] !== "u") continue;
      const ch = text[i];
      if (ch === "{") depth++;
      else if (ch === "}" && depth > 0) depth--;
      else if (ch === "}") {
        if (separated) return true;
        break;
      } else if (depth === 0 && (ch === "," || (ch === "." && text[i + 1] === "." && mask[i + 1] === "u"))) separated = true;
    }
  }
  return false;
}

export function readWord(node: SyntaxNode, walker: WordWalker, inner: SimpleCommand[], inDoubleQuotes = false): Word {
  const builder = new Builder();
  part(node, builder, walker, inner, inDoubleQuotes);
  return builder.finish();
}

function part(node: SyntaxNode, b: Builder, walker: WordWalker, inner: SimpleCommand[], inDq: boolean): void {
  if (!walker.enter()) return;
  try {
    partInner(node, b, walker, inner, inDq);
  } finally {
    walker.leave();
  }
}

function partInner(node: SyntaxNode, b: Builder, walker: WordWalker, inner: SimpleCommand[], inDq: boolean): void {
  switch (node.type) {
    case "word":
    case "number":
      if (node.namedChildCount > 0) return sequence(node, b, walker, inner, inDq, (gap) => unquoted(gap, b, walker));
      return unquoted(node.text, b, walker);
    case "command_name":
    case "concatenation":
      return sequence(node, b, walker, inner, inDq, (gap) => unquoted(gap, b, walker));
    case "extglob_pattern":
    case "regex":
    case "test_operator":
    case "variable_name":
    case "special_variable_name":
    case "$":
      return b.add(node.text, true);
    case "raw_string":
      b.quoted = true;
      return b.add(node.text.slice(1, -1), false);
    case "ansi_c_string":
      b.quoted = true;
      return b.add(ansiC(node.text.slice(2, -1)), false);
    case "string":
    case "translated_string":
      b.quoted = true;
      return sequence(node, b, walker, inner, true, (gap) => b.add(doubleQuoted(gap), false));
    case "string_content":
      return b.add(doubleQuoted(node.text), false);
    case "simple_expansion":
      return b.expansion(node.text);
    case "expansion":
      expansion(node, walker, inner, inDq);
      return b.expansion(node.text);
    case "command_substitution":
    case "process_substitution":
      walker.substitution(node, inner, inDq);
      return b.expansion(node.text);
    case "arithmetic_expansion":
      arithmetic(node, walker);
      return b.expansion(node.text);
    case "brace_expression":
      return b.add(node.text, true);
    case "array":
      for (const element of node.namedChildren) part(element, new Builder(), walker, inner, inDq);
      return b.expansion(node.text);
    default:
      walker.fail(
        node.type === "ERROR"
          ? `it has a syntax error near "${node.text.slice(0, 20)}"`
          : `it uses ${node.type.replace(/_/g, " ")}, which is not analysed`,
      );
  }
}

/** The parts of a word node, and the text between them (the grammar leaves some out, such as newlines in strings). */
function sequence(
  node: SyntaxNode,
  b: Builder,
  walker: WordWalker,
  inner: SimpleCommand[],
  inDq: boolean,
  gap: (text: string) => void,
): void {
  const quoted = node.type === "string" || node.type === "translated_string";
  let at = node.startIndex;
  const end = node.endIndex;
  const children = node.children;
  for (const [i, child] of children.entries()) {
    if (quoted && (i === 0 || i === children.length - 1) && (child.type === '"' || child.type === '$"')) {
      at = child.endIndex;
      continue;
    }
    if (child.startIndex > at) gap(node.text.slice(at - node.startIndex, child.startIndex - node.startIndex));
    part(child, b, walker, inner, inDq);
    at = child.endIndex;
  }
  if (at < end && !quoted) gap(node.text.slice(at - node.startIndex));
}

/**
 * Outside quotes a backslash keeps the next character; before a newline it joins lines. Text the
 * grammar left as plain word text must not hold what starts a command or ends a word: it reads
 * the backtick in `${v-`id`}` as a letter and `\id` after a line break as part of the word before
 * it, where the shell runs id.
 */
function unquoted(text: string, b: Builder, walker: WordWalker): void {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? "";
    if (ch === "`" || (ch === "$" && text[i + 1] === "(")) {
      walker.fail("it has a command substitution the checker cannot read where it stands");
    } else if (ch === "\n") walker.fail("it has a line break inside a word, which the shell reads as the end of a command");
    if (ch !== "\\") {
      b.add(ch, true);
      continue;
    }
    const next = text[++i];
    if (next === undefined || next === "\n") continue;
    b.quoted = true;
    b.add(next, false);
  }
}

/** Inside double quotes a backslash escapes only `$`, backtick, `"`, `\` and newline. */
function doubleQuoted(text: string): string {
  return text.replace(/\\([$`"\\\n])/g, (_, ch: string) => (ch === "\n" ? "" : ch));
}

/** `$'…'`: C escapes decoded, so `$'\x2f'` is `/`. */
function ansiC(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)/gs, (_, esc: string) => {
    const letter = ANSI_C_LETTERS[esc];
    if (letter !== undefined) return letter;
    const radix = /^[xuU]/.test(esc) ? 16 : /^[0-7]/.test(esc) ? 8 : 0;
    if (radix) {
      const code = parseInt(radix === 16 ? esc.slice(1) : esc, radix);
      return code <= 0x10ffff ? String.fromCodePoint(code) : "\ufffd";
    }
    if (esc.length === 2 && esc.startsWith("c")) return String.fromCharCode(esc.charCodeAt(1) & 0x1f);
    return "\\'\"?".includes(esc) ? esc : `\\${esc}`;
  });
}

/** `${…}`: the forms that run code through a value, and the substitutions inside, which run. */
function expansion(node: SyntaxNode, walker: WordWalker, inner: SimpleCommand[], inDq: boolean): void {
  let substring = false;
  for (const child of node.children) {
    if (!child.isNamed) {
      if (child.type === "!") walker.fail("it reads a variable named by another one (${!x}), whose value is not known");
      else if (child.type === "@") walker.fail("it transforms a value with ${x@…}, which can run what the value holds");
      else if (child.type === ":") substring = true;
      continue;
    }
    if (child.type === "subscript") subscript(child, walker);
    else if (substring && child.type !== "number") walker.fail(ARITHMETIC_OVER_VARIABLES);
    else if (inDq && hasDescendant(child, QUOTING)) {
      // bash and the grammar disagree on quotes here: "${u:-'$(id)'}" runs id where the grammar sees a quoted string.
      walker.fail("it has quotes or a substitution inside ${…} within double quotes, which bash reads differently");
    } else part(child, new Builder(), walker, inner, inDq);
  }
}

/** `a[i]`: an indexed array's subscript is arithmetic. Only numbers, `@` and `*` are plain. */
export function subscript(node: SyntaxNode, walker: WordWalker): void {
  const index = node.childForFieldName("index");
  if (!index || !/^([0-9]+|@|\*)$/.test(index.text)) {
    walker.fail("it evaluates an array subscript, which can run commands");
  }
}

/** `$((…))`, `((…))`: only constants. */
export function arithmetic(node: SyntaxNode, walker: WordWalker): void {
  for (const child of node.namedChildren) {
    if (!PLAIN_ARITHMETIC.has(child.type) || (child.type === "number" && child.namedChildCount > 0)) {
      walker.fail(ARITHMETIC_OVER_VARIABLES);
      return;
    }
    arithmetic(child, walker);
  }
}

function hasDescendant(node: SyntaxNode, types: ReadonlySet<string>): boolean {
  if (types.has(node.type)) return true;
  return node.namedChildren.some((child) => hasDescendant(child, types));
}

// The bash grammar the approval gate parses command lines with: tree-sitter's, compiled to
// WebAssembly, so the same parser runs in the editor and the headless host with nothing native.
// Loading is asynchronous and happens once, when a host starts; parsing afterwards is synchronous.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { Language, Parser, type ParseState, type TreeCursor } from "web-tree-sitter";

/**
 * One node of the syntax tree, copied out of WebAssembly memory in one pass with a cursor: the
 * analyser visits each node several times, and every property read on web-tree-sitter's own
 * nodes is a call into WebAssembly (reading a 1 KB line's tree through them took twice as long
 * as parsing it). Same names as web-tree-sitter's Node, for what the analyser uses.
 */
export class SyntaxNode {
  readonly children: SyntaxNode[] = [];
  parent: SyntaxNode | null = null;
  /** Where it starts and ends in the line, in UTF-16 units like JavaScript strings. */
  startIndex = 0;
  endIndex = 0;
  /** It or a node under it is ERROR or MISSING. */
  hasError: boolean;

  constructor(
    private readonly source: string,
    readonly type: string,
    readonly isNamed: boolean,
    readonly isMissing: boolean,
    /** The field this node fills in its parent (`name`, `argument`, `redirect`…), if any. */
    readonly field: string | null,
  ) {
    this.hasError = isMissing || type === "ERROR";
  }

  get text(): string {
    return this.source.slice(this.startIndex, this.endIndex);
  }

  get namedChildren(): SyntaxNode[] {
    return this.children.filter((child) => child.isNamed);
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  get childCount(): number {
    return this.children.length;
  }

  get firstChild(): SyntaxNode | null {
    return this.children[0] ?? null;
  }

  get lastChild(): SyntaxNode | null {
    return this.children.at(-1) ?? null;
  }

  child(index: number): SyntaxNode | null {
    return this.children[index] ?? null;
  }

  fieldNameForChild(index: number): string | null {
    return this.children[index]?.field ?? null;
  }

  childForFieldName(field: string): SyntaxNode | null {
    return this.children.find((child) => child.field === field) ?? null;
  }

  childrenForFieldName(field: string): SyntaxNode[] {
    return this.children.filter((child) => child.field === field);
  }

  toString(): string {
    return `(${this.type}${this.children.map((child) => ` ${child.toString()}`).join("")})`;
  }
}

/** What a node kind is called and whether it is named, by id, read from the grammar once instead of per node. */
class Kinds {
  private readonly types: string[] = [];
  private readonly named: boolean[] = [];
  private readonly fields: (string | null)[] = [];

  constructor(private readonly language: Language) {}

  type(id: number): string {
    return (this.types[id] ??= this.language.nodeTypeForId(id) ?? "ERROR");
  }

  isNamed(id: number): boolean {
    return (this.named[id] ??= this.language.nodeTypeIsNamed(id));
  }

  field(id: number): string | null {
    if (id === 0) return null;
    if (this.fields[id] === undefined) this.fields[id] = this.language.fieldNameForId(id);
    return this.fields[id] ?? null;
  }
}

/**
 * The whole tree under the cursor's node, without recursion: a pathological line nests thousands
 * deep. Only leaves read their place in the line; a parent spans its first child's start to its
 * last child's end, as tree-sitter builds it, which saves two calls into WebAssembly per parent.
 */
function copyTree(cursor: TreeCursor, source: string, kinds: Kinds, hasError: boolean): SyntaxNode {
  const copy = (parent: SyntaxNode | null): SyntaxNode => {
    const id = cursor.nodeTypeId;
    // ERROR has its own id (65535); a MISSING node is only marked in a tree that has an error.
    const node = new SyntaxNode(
      source,
      id === 65535 ? "ERROR" : kinds.type(id),
      id === 65535 || kinds.isNamed(id),
      hasError && cursor.nodeIsMissing,
      kinds.field(cursor.currentFieldId),
    );
    node.parent = parent;
    parent?.children.push(node);
    return node;
  };
  const root = copy(null);
  let node = root;
  for (;;) {
    if (cursor.gotoFirstChild()) {
      node = copy(node);
      continue;
    }
    node.startIndex = cursor.startIndex;
    node.endIndex = cursor.endIndex;
    for (;;) {
      const parent = node.parent;
      if (!parent) return root;
      if (node.hasError) parent.hasError = true;
      if (cursor.gotoNextSibling()) {
        node = copy(parent);
        break;
      }
      cursor.gotoParent();
      node = parent;
      node.startIndex = node.children[0]?.startIndex ?? 0;
      node.endIndex = node.children.at(-1)?.endIndex ?? 0;
    }
  }
}

/** A loaded bash grammar: hand it to every Policy the host makes. */
export class ShellGrammar {
  private readonly kinds: Kinds;

  constructor(
    private readonly parser: Parser,
    language: Language,
  ) {
    this.kinds = new Kinds(language);
  }

  /**
   * The syntax tree of `line`, or undefined when reading it takes longer than `budgetMs` (some
   * lines make the grammar's error recovery slow: `f() ` twenty thousand times takes half a
   * minute). tree-sitter never throws on bad input: it marks ERROR and MISSING nodes.
   */
  parse(line: string, budgetMs = PARSE_BUDGET_MS): SyntaxNode | undefined {
    const deadline = performance.now() + budgetMs;
    // The callback cancels the parse by returning true, which the typings leave out.
    const progressCallback = (() => performance.now() > deadline) as unknown as (state: ParseState) => void;
    const tree = this.parser.parse(line, null, { progressCallback });
    if (!tree) {
      this.parser.reset();
      return undefined;
    }
    const cursor = tree.walk();
    try {
      return copyTree(cursor, line, this.kinds, tree.rootNode.hasError);
    } finally {
      cursor.delete();
      tree.delete();
    }
  }
}

/** A 1 KB line takes well under a millisecond; this is for pathological ones on a busy machine. */
const PARSE_BUDGET_MS = 250;

const RUNTIME_WASM = "tree-sitter.wasm";
const BASH_WASM = "tree-sitter-bash.wasm";

/**
 * A wasm file beside this code (the bundles in dist/, where the build copies both files), or
 * else in its package (running from sources).
 */
function wasmPath(file: string, fromPackage: string): string {
  const beside = join(__dirname, file);
  return existsSync(beside) ? beside : require.resolve(fromPackage);
}

let loading: Promise<void> | undefined;

export async function loadShellGrammar(): Promise<ShellGrammar> {
  const runtime = wasmPath(RUNTIME_WASM, "web-tree-sitter/tree-sitter.wasm");
  // Parser.init sets up the one WebAssembly runtime of the process: doing it twice would load it twice.
  loading ??= Parser.init({ locateFile: () => runtime });
  await loading;
  const language = await Language.load(wasmPath(BASH_WASM, "tree-sitter-bash/tree-sitter-bash.wasm"));
  const parser = new Parser();
  parser.setLanguage(language);
  return new ShellGrammar(parser, language);
}

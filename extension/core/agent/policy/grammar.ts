// The bash grammar the approval gate parses command lines with: tree-sitter's, compiled to
// WebAssembly, so the same parser runs in the editor and the headless host with nothing native.
// Loading is asynchronous and happens once, when a host starts; parsing afterwards is synchronous.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { Language, Parser, type Node, type ParseState } from "web-tree-sitter";

export type { Node as SyntaxNode } from "web-tree-sitter";

/** A loaded bash grammar: hand it to every Policy the host makes. */
export class ShellGrammar {
  constructor(private readonly parser: Parser) {}

  /**
   * The syntax tree of `line`, or undefined when reading it takes longer than `budgetMs` (some
   * lines make the grammar's error recovery slow: `f() ` twenty thousand times takes half a
   * minute). tree-sitter never throws on bad input: it marks ERROR and MISSING nodes.
   */
  parse(line: string, budgetMs = PARSE_BUDGET_MS): Node | undefined {
    const deadline = performance.now() + budgetMs;
    // The callback cancels the parse by returning true, which the typings leave out.
    const progressCallback = (() => performance.now() > deadline) as unknown as (state: ParseState) => void;
    const tree = this.parser.parse(line, null, { progressCallback });
    if (tree) return tree.rootNode;
    this.parser.reset();
    return undefined;
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
  return new ShellGrammar(parser);
}

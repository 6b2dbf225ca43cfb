// One chunk for the app's first load. Left to itself the bundler splits the modules that the
// app chunk (src/start.ts) imports by which later screens share them: half a dozen chunks, some
// of a few hundred bytes, each compressed on its own, which cost the first load more than the
// code moved out of it. Here every module that start.ts reaches through static imports, and
// the entry (src/main.ts) does not, goes into one chunk, `app`; a later screen imports from it
// what it shares (it is always loaded by then). Modules only later screens use are split as
// before.

interface ModuleGraph {
  getModuleInfo(id: string): { importedIds: readonly string[] } | null;
}

/**
 * zod's modules: the entry reaches them all through zod/v4/core's index (noEval.ts sets its
 * config), but uses only that config (core.js, and util.js which it imports): those two stay with it.
 */
const ZOD = /[\\/]node_modules[\\/]zod[\\/](?!v4[\\/]core[\\/](?:core|util)\.js$)/;

/** The modules `root` reaches through static imports, itself included. */
function staticClosure(graph: ModuleGraph, root: string): Set<string> {
  const seen = new Set<string>();
  const stack = [root];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const next of graph.getModuleInfo(id)?.importedIds ?? []) stack.push(next);
  }
  return seen;
}

/** A chunk-naming function for Rolldown's `codeSplitting.groups`: `app` for the first load's modules. */
export function firstLoadChunk(entry: string, app: string): (id: string, ctx: ModuleGraph) => string | null {
  let members: Set<string> | null = null;
  return (id, ctx) => {
    if (!members) {
      const fromEntry = staticClosure(ctx, entry);
      members = new Set([...staticClosure(ctx, app)].filter((m) => m !== app && (!fromEntry.has(m) || ZOD.test(m))));
    }
    return members.has(id) ? "app" : null;
  };
}

// zod's classic API builds every schema with a `toJSONSchema()` method, so its JSON Schema
// generator (two modules, about 5 KB gzip) is in any bundle that uses zod, though the phone never
// converts a schema. This plugin replaces those two modules, in the phone's build only, by
// functions that throw when called: parsing is untouched, and any use of JSON Schema fails
// loudly instead of quietly. The relay, the host and the tests use zod as published.

import { readFileSync } from "node:fs";
import type { Plugin } from "vite";

const GENERATOR = /[\\/]zod[\\/]v4[\\/]core[\\/](?:to-json-schema|json-schema-processors)\.js$/;
/** Called when a schema's `~standard` is read or `toJSONSchema()` is called: they return the method. */
const FACTORIES = new Set(["createToJSONSchemaMethod", "createStandardJSONSchemaMethod"]);

/** The names a module exports, read from its source (zod's are `export const|function` and `export {…}`). */
function exportedNames(source: string): string[] {
  const names = new Set<string>();
  for (const [, name] of source.matchAll(/^export (?:const|function|class) (\w+)/gm)) names.add(name!);
  for (const [, list] of source.matchAll(/^export \{([^}]+)\}/gm)) {
    for (const part of list!.split(","))
      names.add(
        part
          .trim()
          .split(/\s+as\s+/)
          .pop()!,
      );
  }
  return [...names].filter(Boolean);
}

export function zodWithoutJsonSchema(): Plugin {
  return {
    name: "tether:zod-without-json-schema",
    enforce: "pre",
    load(id) {
      if (!GENERATOR.test(id.split("?")[0]!)) return null;
      const names = exportedNames(readFileSync(id.split("?")[0]!, "utf8"));
      if (names.length === 0) throw new Error(`zod-without-json-schema: no exports found in ${id}`);
      const fail = `() => { throw new Error("JSON Schema is not part of the Tether phone app"); }`;
      return names.map((name) => `export const ${name} = ${FACTORIES.has(name) ? `() => ${fail}` : fail};`).join("\n");
    },
  };
}

// search: text or a regular expression over the workspace's files, as `path:line: text`.

import { z } from "zod";
import { capText } from "./cap";
import { defineTool, oneLine } from "./define";
import { formatBytes, formatCount } from "./format";
import { DEFAULT_MAX_RESULTS, SEARCH_MAX_FILE_BYTES, SEARCH_MAX_FILES } from "./workspaceSearch";

const MAX_RESULTS = 500;

const args = z.object({
  query: z
    .string()
    .min(1)
    .describe("Text to find, or a JavaScript regular expression when regex is true. Matched within one line."),
  regex: z.boolean().optional().describe("Treat query as a regular expression (JavaScript syntax). Default false: plain text."),
  path: z
    .string()
    .optional()
    .describe("Folder (or a single file) to search in, relative to the workspace root. Default: everything."),
  caseSensitive: z.boolean().optional().describe("Match upper and lower case exactly. Default false."),
  maxResults: z
    .number()
    .int()
    .min(1)
    .max(MAX_RESULTS)
    .optional()
    .describe(`Most matching lines to return. Default ${DEFAULT_MAX_RESULTS}, at most ${MAX_RESULTS}.`),
});

export const searchTool = defineTool<z.infer<typeof args>>({
  name: "search",
  kind: "read",
  description:
    "Search the contents of the workspace's files, line by line, like grep. Answers one `path:line: text` line per match, " +
    "in path order, each cut to about 200 characters. Files ignored by .gitignore, the .git folder, secret files, binaries " +
    `and files over ${formatBytes(SEARCH_MAX_FILE_BYTES)} are skipped (name an ignored folder in path to search it anyway). ` +
    "Case-insensitive unless caseSensitive is set. Narrow with path or a more specific query when there are too many matches; " +
    "then read_file around a match to see its context.",
  args,
  title: (a) => `${JSON.stringify(oneLine(a.query, 60))}${a.path ? ` in ${a.path}` : ""}`,
  async run(a, ctx) {
    const result = await ctx.workspace.search({
      query: a.query,
      regex: a.regex ?? false,
      caseSensitive: a.caseSensitive ?? false,
      maxResults: a.maxResults ?? DEFAULT_MAX_RESULTS,
      signal: ctx.signal,
      ...(a.path ? { path: a.path } : {}),
    });
    const where = a.path ? ` in ${a.path}` : "";
    const notes: string[] = [];
    if (result.skippedLarge)
      notes.push(`${formatCount(result.skippedLarge)} files over ${formatBytes(SEARCH_MAX_FILE_BYTES)} skipped`);
    if (result.tooManyFiles)
      notes.push(`stopped listing files after ${formatCount(SEARCH_MAX_FILES)}; give a path to search the rest`);
    const tail = notes.length ? `\n(${notes.join("; ")})` : "";
    if (result.matches.length === 0) {
      return {
        ok: true,
        output: `No matches for ${JSON.stringify(a.query)}${where} (${formatCount(result.filesSearched)} files searched).${tail}`,
      };
    }
    const lines = result.matches.map((m) => `${m.path}:${m.line}: ${m.text}`).join("\n");
    const capped = capText(lines, { maxChars: 60_000, maxLines: MAX_RESULTS, keep: "head" });
    const truncated = result.limited
      ? `stopped at ${formatCount(result.matches.length)} matches; there are more. Narrow the search with path or a more specific query, or raise maxResults (at most ${MAX_RESULTS})`
      : capped.truncated;
    return { ok: true, output: capped.text + tail, ...(truncated ? { truncated } : {}) };
  },
});

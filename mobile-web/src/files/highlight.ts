// Syntax highlighting for the file view. Which language a file is in is decided here, from its
// name; highlight.js and its grammars load on first use from a chunk of their own, so the first
// screen does not carry them.

import type { HighlightLanguage } from "./highlightLanguages";

/**
 * Highlighting runs on the main thread (about 0.3 s per 512 KB on a laptop, several times that on
 * a phone), so only this much of a file is highlighted; the lines after it are shown plain.
 */
export const MAX_HIGHLIGHT_CHARS = 128 * 1024;

const BY_EXTENSION: Record<string, HighlightLanguage> = {
  ts: "typescript",
  tsx: "typescript",
  mts: "typescript",
  cts: "typescript",
  js: "javascript",
  jsx: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  json: "json",
  jsonc: "json",
  json5: "json",
  webmanifest: "json",
  map: "json",
  css: "css",
  scss: "scss",
  sass: "scss",
  html: "xml",
  htm: "xml",
  xhtml: "xml",
  xml: "xml",
  svg: "xml",
  plist: "xml",
  vue: "xml",
  svelte: "xml",
  md: "markdown",
  markdown: "markdown",
  mdx: "markdown",
  py: "python",
  pyi: "python",
  go: "go",
  rs: "rust",
  java: "java",
  sh: "bash",
  bash: "bash",
  zsh: "bash",
  yaml: "yaml",
  yml: "yaml",
  toml: "ini",
  ini: "ini",
  cfg: "ini",
  conf: "ini",
  editorconfig: "ini",
  sql: "sql",
  c: "c",
  h: "c",
  cc: "cpp",
  cpp: "cpp",
  cxx: "cpp",
  hpp: "cpp",
  hh: "cpp",
  hxx: "cpp",
  rb: "ruby",
  rake: "ruby",
  gemspec: "ruby",
  php: "php",
  swift: "swift",
  kt: "kotlin",
  kts: "kotlin",
  cs: "csharp",
  diff: "diff",
  patch: "diff",
  lua: "lua",
  dart: "dart",
  scala: "scala",
  sc: "scala",
  graphql: "graphql",
  gql: "graphql",
  proto: "protobuf",
  ps1: "powershell",
  psm1: "powershell",
  mk: "makefile",
};

const BY_NAME: Record<string, HighlightLanguage> = {
  dockerfile: "dockerfile",
  containerfile: "dockerfile",
  makefile: "makefile",
  gnumakefile: "makefile",
  gemfile: "ruby",
  rakefile: "ruby",
  podfile: "ruby",
  ".bashrc": "bash",
  ".bash_profile": "bash",
  ".zshrc": "bash",
  ".profile": "bash",
  ".gitconfig": "ini",
  ".npmrc": "ini",
};

/** The highlight.js language for a file, or null to show it plain. */
export function languageOf(path: string): HighlightLanguage | null {
  const name = (path.split("/").at(-1) ?? "").toLowerCase();
  const byName = BY_NAME[name];
  if (byName) return byName;
  // `Dockerfile.dev`, `api.Dockerfile`
  if (name.startsWith("dockerfile.") || name.endsWith(".dockerfile")) return "dockerfile";
  const dot = name.lastIndexOf(".");
  if (dot < 0 || dot === name.length - 1) return null;
  return BY_EXTENSION[name.slice(dot + 1)] ?? null;
}

/**
 * The part of `text` to highlight: all of it when short enough, else whole lines up to the limit.
 * A file that grows by "Load more" keeps the same head once it passed the limit, so it is not
 * highlighted again.
 */
export function highlightHead(text: string, limit = MAX_HIGHLIGHT_CHARS): string {
  if (text.length <= limit) return text;
  return text.slice(0, text.lastIndexOf("\n", limit - 1) + 1);
}

type Module = typeof import("./highlightLanguages");
let loading: Promise<Module> | null = null;

/**
 * The text as highlighted HTML: only `<span class="hljs-…">` around text highlight.js escaped.
 * Rejects when the highlighter cannot load (offline before it was ever cached); the next call tries again.
 */
export async function highlightCode(text: string, language: HighlightLanguage): Promise<string> {
  loading ??= import("./highlightLanguages").catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return (await loading).highlight(text, language);
}

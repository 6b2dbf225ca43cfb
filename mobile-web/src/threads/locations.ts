// Where an outside agent's tool call acts, as a link to the file in the Files tab when the file
// is in the workspace. The agent names paths as it likes; one outside the workspace (absolute,
// `..`, `~`) is shown, never linked: the file browser would refuse it anyway.

import type { ToolLocation } from "#protocol";

/** The workspace-relative path of a location, or undefined when it is outside the workspace. */
export function workspacePath(path: string): string | undefined {
  const clean = path.replace(/\\/g, "/").replace(/^\.\//, "");
  if (clean === "" || clean.startsWith("/") || clean.startsWith("~") || /^[a-zA-Z]:\//.test(clean)) return undefined;
  if (clean.split("/").some((part) => part === "..")) return undefined;
  return clean;
}

/** "src/date.ts:12", as a row says it. */
export function locationWords(location: ToolLocation): string {
  return location.line ? `${location.path}:${location.line}` : location.path;
}

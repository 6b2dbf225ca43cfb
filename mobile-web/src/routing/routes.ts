// Hash routes, so the browser's Back button walks the app's own history and the relay only
// ever serves one page:
//   #/                      home (the only host's dashboard, or the list)
//   #/hosts                 the list of paired computers
//   #/add                   pair with another computer by pasting its link
//   #/settings
//   #/h/<hostId>            a host's threads
//   #/h/<hostId>/new        a new task for the host
//   #/h/<hostId>/t/<id>     one thread
//   #/h/<hostId>/t/<id>/g   the thread's Changes (its worktree's, or the workspace's)
//   #/h/<hostId>/g          the workspace's Changes
//   #/h/<hostId>/d          the workspace root
//   #/h/<hostId>/d/<path>   a directory
//   #/h/<hostId>/f/<path>   a file
//   #/h/<hostId>/f/<path>?line=<n>   a file, opened at line n (a search match)
// Paths are workspace-relative with "/", each segment percent-encoded.

export type Route =
  | { name: "home" }
  | { name: "hosts" }
  | { name: "add" }
  | { name: "settings" }
  | { name: "threads"; hostId: string }
  | { name: "new-task"; hostId: string }
  | { name: "thread"; hostId: string; threadId: string }
  | { name: "changes"; hostId: string; threadId?: string }
  | { name: "host"; hostId: string; view: "dir" | "file"; path: string; line?: number };

/** The workspace browser's routes. */
export type HostRoute = Extract<Route, { name: "host" }>;
/** Every route that belongs to one host. */
export type AnyHostRoute = Extract<Route, { hostId: string }>;

/** Splits a path into its non-empty segments ("a//b/" → ["a", "b"]). */
export function pathSegments(path: string): string[] {
  return path.split("/").filter((s) => s.length > 0);
}

export function joinPath(dir: string, name: string): string {
  return [...pathSegments(dir), name].join("/");
}

export function encodePath(path: string): string {
  return pathSegments(path).map(encodeURIComponent).join("/");
}

function decodePath(encoded: string): string | null {
  try {
    return pathSegments(encoded).map(decodeURIComponent).join("/");
  } catch {
    return null;
  }
}

export function parseRoute(hash: string): Route {
  const body = hash.replace(/^#\/?/, "");
  if (body === "") return { name: "home" };
  if (body === "hosts" || body === "add" || body === "settings") return { name: body };
  const changes = /^h\/([A-Za-z0-9_-]{1,64})\/(?:t\/([A-Za-z0-9_-]{1,64})\/)?g$/.exec(body);
  if (changes) return changesRoute(changes[1]!, changes[2]);
  const thread = /^h\/([A-Za-z0-9_-]{1,64})\/(?:t\/([A-Za-z0-9_-]{1,64})|(new))$/.exec(body);
  if (thread) {
    const [, hostId, threadId] = thread;
    return threadId ? { name: "thread", hostId: hostId!, threadId } : { name: "new-task", hostId: hostId! };
  }
  // A path's own "?" is percent-encoded, so a bare one starts the line to open at.
  const at = /^(h\/[^?]*\/f\/[^?]*)\?line=([1-9][0-9]{0,8})$/.exec(body);
  const match = /^h\/([A-Za-z0-9_-]{1,64})(?:\/([df])(?:\/(.*))?)?$/.exec(at ? at[1]! : body);
  if (!match) return { name: "home" };
  if (match[2] === undefined) return { name: "threads", hostId: match[1]! };
  const [, hostId, view, rest] = match;
  const path = decodePath(rest ?? "");
  if (hostId === undefined || path === null) return { name: "home" };
  if (view === "f" && at) return { name: "host", hostId, view: "file", path, line: Number(at[2]) };
  return { name: "host", hostId, view: view === "f" ? "file" : "dir", path };
}

export function routeHash(route: Route): string {
  switch (route.name) {
    case "home":
      return "#/";
    case "hosts":
    case "add":
    case "settings":
      return `#/${route.name}`;
    case "threads":
      return `#/h/${route.hostId}`;
    case "new-task":
      return `#/h/${route.hostId}/new`;
    case "thread":
      return `#/h/${route.hostId}/t/${route.threadId}`;
    case "changes":
      return route.threadId ? `#/h/${route.hostId}/t/${route.threadId}/g` : `#/h/${route.hostId}/g`;
    case "host": {
      const base = `#/h/${route.hostId}`;
      if (route.view === "dir" && pathSegments(route.path).length === 0) return `${base}/d`;
      const line = route.view === "file" && route.line ? `?line=${route.line}` : "";
      return `${base}/${route.view === "file" ? "f" : "d"}/${encodePath(route.path)}${line}`;
    }
  }
}

export function dirRoute(hostId: string, path: string): HostRoute {
  return { name: "host", hostId, view: "dir", path: pathSegments(path).join("/") };
}

export function fileRoute(hostId: string, path: string, line?: number): HostRoute {
  return { name: "host", hostId, view: "file", path: pathSegments(path).join("/"), ...(line ? { line } : {}) };
}

export const threadsRoute = (hostId: string): Route => ({ name: "threads", hostId });
export const threadRoute = (hostId: string, threadId: string): Route => ({ name: "thread", hostId, threadId });
export const newTaskRoute = (hostId: string): Route => ({ name: "new-task", hostId });
export const changesRoute = (hostId: string, threadId?: string): Route => ({
  name: "changes",
  hostId,
  ...(threadId ? { threadId } : {}),
});

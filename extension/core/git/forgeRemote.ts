export type ForgeKind = "github" | "gitlab" | "bitbucket" | "gitea";

/** A remote URL read as the web address of the repository behind it. */
export interface ForgeRemote {
  kind: ForgeKind;
  /** https://host/owner/repo (http for a plain-http remote), with no ".git" and no credentials. */
  webUrl: string;
  host: string;
  /** owner/repo, or group/subgroup/repo on GitLab. */
  path: string;
}

/** Hosts known by name; self-hosted ones are recognised by a name in the host or by the path's shape. */
const KNOWN_HOSTS: Record<string, ForgeKind> = {
  "github.com": "github",
  "gitlab.com": "gitlab",
  "bitbucket.org": "bitbucket",
  "gitea.com": "gitea",
  "codeberg.org": "gitea",
};

/** Reads https, ssh:// and scp-like (git@host:owner/repo.git) remotes; undefined when it is none of them. */
export function parseRemote(remoteUrl: string, kind?: ForgeKind): ForgeRemote | undefined {
  const split = splitUrl(remoteUrl.trim());
  if (!split) return undefined;
  const host = split.host.toLowerCase();
  const path = split.path.replace(/^\/+|\/+$/g, "").replace(/\.git$/, "");

  const segments = path.split("/").filter((s) => s !== "");
  if (segments.length < 2) return undefined;
  const found = kind ?? guessKind(host, segments);
  if (!found) return undefined;
  return { kind: found, host, path: segments.join("/"), webUrl: `${split.webScheme}://${split.webHost}/${segments.join("/")}` };
}

function guessKind(host: string, segments: string[]): ForgeKind | undefined {
  const known = KNOWN_HOSTS[host];
  if (known) return known;
  if (/(^|[.-])gitlab([.-]|$)/.test(host)) return "gitlab";
  if (/(^|[.-])(gitea|forgejo)([.-]|$)/.test(host)) return "gitea";
  if (/(^|[.-])github([.-]|$)/.test(host)) return "github";
  // Only GitLab nests groups, so owner/group/repo can only be GitLab.
  if (segments.length > 2) return "gitlab";
  return undefined;
}

interface SplitUrl {
  host: string;
  /** The host as the browser should open it: ssh ports dropped, https ports kept. */
  webHost: string;
  /** http for a plain-http remote, https for everything else. */
  webScheme: string;
  path: string;
}

function splitUrl(url: string): SplitUrl | undefined {
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(url);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    const host = scp[1] ?? "";
    return { host, webHost: host, webScheme: "https", path: scp[2] ?? "" };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const scheme = parsed.protocol.replace(/:$/, "");
  if (!["https", "http", "ssh", "git", "git+ssh", "ssh+git"].includes(scheme)) return undefined;
  const host = parsed.hostname;
  const webHost = scheme === "https" || scheme === "http" ? parsed.host : host;
  const webScheme = scheme === "http" ? "http" : "https";
  return { host, webHost, webScheme, path: decodeURIComponent(parsed.pathname) };
}

/** Branch names keep their slashes in forge URLs; everything else is escaped. */
function ref(name: string): string {
  return name.split("/").map(encodeURIComponent).join("/");
}

/** The page where the person opens a pull or merge request from `head` into `base`. */
export function compareLinkFor(remote: ForgeRemote, base: string, head: string): string {
  switch (remote.kind) {
    case "github":
      return `${remote.webUrl}/compare/${ref(base)}...${ref(head)}?expand=1`;
    case "gitlab":
      return `${remote.webUrl}/-/compare/${ref(base)}...${ref(head)}`;
    case "bitbucket":
      // Bitbucket's compare page takes source then destination, separated by an encoded carriage return.
      return `${remote.webUrl}/branches/compare/${ref(head)}%0D${ref(base)}#diff`;
    case "gitea":
      return `${remote.webUrl}/compare/${ref(base)}...${ref(head)}`;
  }
}

// The app's git link, made by the screens that use it (the dashboard's git row and the Changes
// view) rather than by the app shell: they load after the first screen, and so does git's code
// (about 0.3 KB gzip of the first load). One link per app, as when the shell held it.

import type { TetherApp } from "../app.svelte";
import { GitLink } from "./gitLink";

const links = new WeakMap<TetherApp, GitLink>();

export function gitLinkOf(app: TetherApp): GitLink {
  let git = links.get(app);
  if (!git) {
    git = new GitLink({ link: app.link, hosts: app.hosts, presence: (hostId) => app.hostSync.presenceOf(hostId) });
    links.set(app, git);
  }
  return git;
}

// The viewer of a shared thread, started instead of the app when the page was opened from a
// share link: no pairing, no storage, no service worker; the link's fragment is all it has.

import { mount } from "svelte";
import { parseShareFragment } from "#protocol";
import ShareScreen from "./ShareScreen.svelte";

export function startShare(target: HTMLElement, href: string): void {
  const link = parseShareFragment(href);
  mount(ShareScreen, { target, props: { link, origin: location.origin } });
}

// The viewer of a shared thread, started instead of the app when the page was opened from a
// share link: no pairing, no storage, no service worker; the link's fragment is all it has.
// The screen is loaded from here, so the app's first load names none of its files.

import { mount } from "svelte";
import { parseShareFragment } from "#protocol/share";

export async function startShare(target: HTMLElement, href: string): Promise<void> {
  const { default: ShareScreen } = await import("./ShareScreen.svelte");
  mount(ShareScreen, { target, props: { link: parseShareFragment(href), origin: location.origin } });
}

// What runs before the app itself: checks that need no crypto, and taking the pairing
// secret out of the address bar before anything else can read or share it.

export const PAIR_FRAGMENT_PREFIX = "#pair=";
/** A shared thread's link (`protocol/share.ts`): opens the read-only viewer, not the app. */
export const SHARE_FRAGMENT_PREFIX = "#share=";

/** WebCrypto's subtle API exists only in secure contexts (HTTPS, localhost). */
export function isSecureEnough(): boolean {
  return globalThis.isSecureContext === true && typeof globalThis.crypto?.subtle?.importKey === "function";
}

/**
 * If the page was opened from a pairing link, removes the fragment from the address bar
 * (and from history) and returns the full link for parsing. The secret in it must not stay
 * where a screenshot, a shared tab or the next person at the phone would see it.
 */
export function takePairFragment(): string | null {
  if (!location.hash.startsWith(PAIR_FRAGMENT_PREFIX)) return null;
  const link = location.href;
  history.replaceState(history.state, "", location.pathname + location.search);
  return link;
}

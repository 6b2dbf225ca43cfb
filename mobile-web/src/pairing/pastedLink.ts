// A pairing link pasted by hand: it may be for this relay, or for another one whose app
// (and storage) lives at another origin.

import { parsePairFragment, type PairLink } from "#protocol";

export type PastedLink =
  { kind: "here"; link: PairLink } | { kind: "elsewhere"; origin: string; href: string } | { kind: "invalid" };

export function readPastedLink(text: string, currentOrigin: string): PastedLink {
  const trimmed = text.trim();
  const link = parsePairFragment(trimmed);
  if (!link) return { kind: "invalid" };
  let url: URL | null = null;
  try {
    url = new URL(trimmed);
  } catch {
    // Just the "#pair=…" part: it can only mean this relay.
  }
  if (url && (url.protocol === "https:" || url.protocol === "http:") && url.origin !== currentOrigin) {
    return { kind: "elsewhere", origin: url.origin, href: url.href };
  }
  return { kind: "here", link };
}

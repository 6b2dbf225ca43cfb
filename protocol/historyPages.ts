// History pages: a thread's already published events `from`..`to`, sealed again as one box.
// A phone catching up on thousands of events opens a few dozen boxes instead of one per event
// (one WebCrypto call costs more than fetching the event). The events stay stored one by one
// beside their pages: the live path and phones that do not read pages use those.
//
// The box's context binds host, thread, from and to, so a relay cannot move a page to another
// thread or range; the phone checks that it holds exactly to - from + 1 valid events.

import { sealBytes, open } from "./crypto";
import { sealContext } from "./contexts";
import { utf8 } from "./encoding";
import { ErrorCode, TetherError } from "./errors";
import { MAX_BOX_CHARS, type Box } from "./schemas";
import { threadEventSchema, type ThreadEvent } from "./thread";

/** Events in one page at most. */
export const PAGE_MAX_EVENTS = 500;
/**
 * Plaintext characters in one page at most (counting a JSON event's characters), so its box
 * (ciphertext in base64url, a third larger) stays under the relay's MAX_BOX_CHARS.
 */
export const PAGE_MAX_CHARS = Math.floor((MAX_BOX_CHARS * 3) / 4) - 64 * 1024;
/** A run shorter than this is left as events: a few boxes cost less than a page's round trip. */
export const PAGE_MIN_EVENTS = 50;

export interface PageCut {
  from: number;
  to: number;
  /** The events' JSON, in seq order. */
  json: string[];
}

/**
 * Cuts a thread's events `from`.. (contiguous, in seq order, starting at `from`) into pages of
 * at most PAGE_MAX_EVENTS events and PAGE_MAX_CHARS characters. A last run shorter than
 * `minEvents` is left out (it waits for more events); an event too large for any page ends
 * the cut there, so pages never skip one.
 */
export function cutPages(from: number, events: readonly ThreadEvent[], minEvents = PAGE_MIN_EVENTS): PageCut[] {
  const pages: PageCut[] = [];
  let json: string[] = [];
  let chars = 2;
  let start = from;
  const close = (): void => {
    if (json.length > 0) pages.push({ from: start, to: start + json.length - 1, json });
    start += json.length;
    json = [];
    chars = 2;
  };
  for (const event of events) {
    const text = JSON.stringify(event);
    if (text.length + 3 > PAGE_MAX_CHARS) break;
    if (json.length === PAGE_MAX_EVENTS || chars + text.length + 1 > PAGE_MAX_CHARS) close();
    json.push(text);
    chars += text.length + 1;
  }
  if (json.length >= minEvents) close();
  return pages;
}

export function sealPage(key: CryptoKey, epoch: number, hostId: string, threadId: string, page: PageCut): Promise<Box> {
  return sealBytes(key, epoch, utf8(`[${page.json.join(",")}]`), sealContext.page(hostId, threadId, page.from, page.to));
}

export interface OpenedPageEvent {
  seq: number;
  event: ThreadEvent;
}

/**
 * Opens a page as its context says it must be: exactly the events `from`..`to`, each valid.
 * Throws `bad-seal` for a box that does not open there and `bad-request` for one that does
 * not hold what its range says.
 */
export async function openPage(
  key: CryptoKey,
  page: { hostId: string; threadId: string; from: number; to: number; box: Box },
): Promise<OpenedPageEvent[]> {
  const plain = await open(key, page.box, sealContext.page(page.hostId, page.threadId, page.from, page.to));
  if (!Array.isArray(plain) || plain.length !== page.to - page.from + 1) {
    throw new TetherError(ErrorCode.BadRequest, `page ${page.from}-${page.to} does not hold its events`);
  }
  return plain.map((value, i) => ({ seq: page.from + i, event: threadEventSchema.parse(value) }));
}

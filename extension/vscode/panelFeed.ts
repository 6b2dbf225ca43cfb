// What the thread panels are sent, free of `vscode` so the tests reach it: a thread's snapshot,
// its durable events as they are appended, and its live stream (streaming text, command output),
// batched as the relay publisher batches it for phones. The live state of every thread is kept
// here by the phone's own rules (`mobile-web/src/threads/live.ts`), so a panel opened or shown
// again mid-run gets the text and output so far.

import { ErrorCode, type Command, type CommandReply, type LiveEvent } from "#protocol";
import { EMPTY_LIVE, settleLive, withLive, type LiveState } from "#protocol/live";
import { fromPanelSchema, type FromPanel, type ToPanel } from "#protocol/panel";
import type { Thread } from "../core/threads/thread";
import type { ThreadManager } from "../core/threads/threadManager";
import type { NumberedEvent } from "../core/threads/threadStore";

/** Live events of a thread are gathered this long, then sent as one message. */
export const LIVE_FLUSH_MS = 50;

/** Follows a host's thread manager and turns what it emits into messages for the panels. */
export class PanelFeed {
  private manager: ThreadManager | undefined;
  private readonly live = new Map<string, LiveState>();
  private readonly buffered = new Map<string, LiveEvent[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  private readonly onEvent = (thread: Thread, numbered: NumberedEvent): void => {
    // The live output before the event goes first, as the relay publisher sends it to phones.
    this.flushThread(thread.id);
    const live = this.live.get(thread.id);
    if (live) {
      const settled = settleLive(live, [numbered]);
      const empty = Object.keys(settled.text).length === 0 && Object.keys(settled.output).length === 0;
      if (empty) this.live.delete(thread.id);
      else this.live.set(thread.id, settled);
    }
    this.post(thread.id, { type: "events", threadId: thread.id, events: [numbered], summary: this.manager!.summary(thread) });
  };

  private readonly onLive = (threadId: string, event: LiveEvent): void => {
    this.live.set(threadId, withLive(this.live.get(threadId) ?? EMPTY_LIVE, event));
    const buffer = this.buffered.get(threadId);
    if (buffer) buffer.push(event);
    else this.buffered.set(threadId, [event]);
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  };

  constructor(
    /** Delivers a message to the panel of `threadId`, if one is open. */
    private readonly post: (threadId: string, message: ToPanel) => void,
    private readonly flushMs = LIVE_FLUSH_MS,
  ) {}

  /** Follows `manager` from now on (a host started or restarted); the old one's live state goes. */
  follow(manager: ThreadManager | undefined): void {
    this.flush();
    this.manager?.off("event", this.onEvent);
    this.manager?.off("live", this.onLive);
    this.live.clear();
    this.manager = manager;
    manager?.on("event", this.onEvent);
    manager?.on("live", this.onLive);
  }

  /** Everything a panel needs to show a thread from scratch, or null for a thread not there. */
  snapshot(threadId: string): ToPanel | null {
    const thread = this.manager?.get(threadId);
    if (!thread) return null;
    return {
      type: "thread",
      summary: this.manager!.summary(thread),
      events: [...thread.events],
      live: this.live.get(threadId) ?? EMPTY_LIVE,
    };
  }

  /** Sends every thread's gathered live events now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const threadId of [...this.buffered.keys()]) this.flushThread(threadId);
  }

  close(): void {
    this.follow(undefined);
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flushThread(threadId: string): void {
    const events = this.buffered.get(threadId);
    if (!events) return;
    this.buffered.delete(threadId);
    this.post(threadId, { type: "live", threadId, events });
  }
}

/** A message from a panel's webview, or null when it is not one (it is then ignored). */
export function parseFromPanel(data: unknown): FromPanel | null {
  const parsed = fromPanelSchema.safeParse(data);
  return parsed.success ? parsed.data : null;
}

/**
 * Why a panel may not send `command`, or null when it may: a thread's panel acts on its own
 * thread only, and starts no task but a retry of its own; otherwise only the new-task form
 * starts a task (with its attachments).
 */
export function refusal(command: Command, shown: { threadId?: string | undefined }): CommandReply | null {
  const starts = command.type === "new-task" || command.type === "attach";
  const retriesShown = command.type === "new-task" && command.retryOf !== undefined && command.retryOf === shown.threadId;
  if (
    shown.threadId === undefined
      ? starts
      : retriesShown || (!starts && "threadId" in command && command.threadId === shown.threadId)
  )
    return null;
  return { ok: false, code: ErrorCode.Forbidden, message: "This panel cannot send that command." };
}

/** A fresh nonce for the webview's CSP: base64 of 16 random bytes. */
export function makeNonce(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  return btoa(String.fromCharCode(...random(new Uint8Array(16))));
}

export interface PanelPage {
  /** The webview's `cspSource`: where the panel's own files come from. */
  cspSource: string;
  nonce: string;
  /** Webview URIs of dist/panel/panel.js and panel.css. */
  script: string;
  style: string;
  title: string;
  /** Which app the page runs: a thread's panel (the default) or the sidebar's conversation. */
  surface?: "panel" | "sidebar";
}

/** The CSP of the panel's page: its own script (by nonce) and stylesheet, nothing else. */
export function panelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function panelHtml(page: PanelPage): string {
  const attr = escapeHtml;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta http-equiv="Content-Security-Policy" content="${attr(panelCsp(page.cspSource, page.nonce))}" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <link rel="stylesheet" href="${attr(page.style)}" />
    <title>${escapeHtml(page.title)}</title>
  </head>
  <body>
    <div id="app"${page.surface === "sidebar" ? ' data-surface="sidebar"' : ""}></div>
    <script type="module" nonce="${attr(page.nonce)}" src="${attr(page.script)}"></script>
  </body>
</html>
`;
}

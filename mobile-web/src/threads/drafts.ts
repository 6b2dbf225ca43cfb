// Drafts: what a person typed in the new-task form or a thread's composer and has not sent,
// kept per computer and thread in localStorage, so leaving the screen or reloading the page
// loses no word. Written as it is typed (small, synchronous); removed once it is sent.

import { policyModeSchema, type PolicyMode } from "#protocol";

/** The part of `Storage` drafts use; tests pass a map. */
export type DraftStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

export interface TaskDraft {
  text: string;
  mode?: PolicyMode;
  model?: string;
}

const PREFIX = "tether.draft";

export function taskDraftKey(hostId: string): string {
  return `${PREFIX}.${hostId}.new-task`;
}

export function composerDraftKey(hostId: string, threadId: string): string {
  return `${PREFIX}.${hostId}.${threadId}`;
}

/** The browser's localStorage, or null where it is unavailable (some private modes). */
export function browserDrafts(): DraftStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function readDraft(storage: DraftStorage | null, key: string): string {
  try {
    return storage?.getItem(key) ?? "";
  } catch {
    return "";
  }
}

/** Keeps `text` under `key`; an empty draft is removed. A full storage loses the draft, not the app. */
export function saveDraft(storage: DraftStorage | null, key: string, text: string): void {
  try {
    if (text === "") storage?.removeItem(key);
    else storage?.setItem(key, text);
  } catch {
    // Quota or a storage that went away: the text is still on screen.
  }
}

export function readTaskDraft(storage: DraftStorage | null, hostId: string): TaskDraft | null {
  const raw = readDraft(storage, taskDraftKey(hostId));
  if (raw === "") return null;
  try {
    const parsed = JSON.parse(raw) as Partial<Record<keyof TaskDraft, unknown>>;
    if (typeof parsed.text !== "string") return null;
    const mode = policyModeSchema.safeParse(parsed.mode);
    return {
      text: parsed.text,
      ...(mode.success ? { mode: mode.data } : {}),
      ...(typeof parsed.model === "string" && parsed.model ? { model: parsed.model } : {}),
    };
  } catch {
    return null;
  }
}

/** Keeps the form while it holds text; a form with nothing typed keeps no draft. */
export function saveTaskDraft(storage: DraftStorage | null, hostId: string, draft: TaskDraft): void {
  saveDraft(storage, taskDraftKey(hostId), draft.text.trim() === "" ? "" : JSON.stringify(draft));
}

/** The event a composer on screen listens to, to take back text the person wants to edit. */
export const DRAFT_OFFERED = "tether:draft-offered";

/** Keeps `text` as the draft under `key` and gives it to the field showing that draft now. */
export function offerDraft(storage: DraftStorage | null, key: string, text: string): void {
  saveDraft(storage, key, text);
  globalThis.dispatchEvent?.(new CustomEvent(DRAFT_OFFERED, { detail: { key, text } }));
}

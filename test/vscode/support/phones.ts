// A phone paired with the editor the way a person pairs one: Tether: Pair Phone shows the link
// (and its QR code) in a panel, the phone joins with it, and the person confirms the code the
// editor asks about. The phone is test/support/phone.ts, the PWA's own pairing and sealing code.

import assert from "node:assert/strict";
import * as vscode from "vscode";
import type { ThreadEvent, ThreadSummary } from "#protocol";
import { pairPhone, type PairedPhone } from "../../support/phone";
import { until } from "../../support/wait";
import { desk } from "./desk";

export async function pairThroughEditor(name: string): Promise<PairedPhone> {
  const prompts = confirmPairing();
  try {
    await vscode.commands.executeCommand("tether.pairPhone");
    const link = await desk.webviewText({ pattern: String.raw`https?://\S+#pair=[\w.~-]+` });
    const phone = await pairPhone(link, name);
    // The editor asked about this phone, and showed the code the phone shows.
    assert.deepEqual(prompts.asked, [
      { message: `Pair "${name}" with this editor?`, detail: `Check that the phone shows the code ${phone.code}.` },
    ]);
    return phone;
  } finally {
    prompts.restore();
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  }
}

type ShowMessage = (message: string, ...rest: unknown[]) => Thenable<unknown>;

/**
 * Answers the editor's pairing prompt with "Pair", as the person would. VS Code refuses to open
 * modal dialogs while extension tests run (its DialogService throws "refused to show dialog in
 * tests"), so nobody can click one on the page: the answer is given where the dialog would open,
 * `window.showInformationMessage` (this suite shares the extension's `vscode` API object), and
 * every prompt is recorded for the test to check. Other messages go through.
 */
function confirmPairing(): { asked: { message: string; detail: unknown }[]; restore(): void } {
  const window = vscode.window as unknown as { showInformationMessage: ShowMessage };
  const original = window.showInformationMessage;
  const asked: { message: string; detail: unknown }[] = [];
  window.showInformationMessage = (message, ...rest) => {
    const [options, ...items] = rest as [{ modal?: boolean; detail?: string } | undefined, ...unknown[]];
    if (options?.modal && items.includes("Pair")) {
      asked.push({ message, detail: options.detail });
      return Promise.resolve("Pair");
    }
    return original.call(vscode.window, message, ...rest);
  };
  return { asked, restore: () => void (window.showInformationMessage = original) };
}

/** The thread's summary as the phone syncs it from the relay, once `match` holds. */
export async function syncedThread(
  phone: PairedPhone,
  title: string,
  match: (summary: ThreadSummary, events: ThreadEvent[]) => boolean = () => true,
  ms = 20_000,
): Promise<{ summary: ThreadSummary; events: ThreadEvent[] }> {
  let seen = "nothing";
  const synced = async (): Promise<{ summary: ThreadSummary; events: ThreadEvent[] } | undefined> => {
    const { summaries, events } = await phone.sync();
    const summary = summaries.find((s) => s.title === title);
    if (!summary) return undefined;
    const own = events.filter((e) => e.threadId === summary.threadId).map((e) => e.event);
    if (match(summary, own)) return { summary, events: own };
    seen = `${summary.status} after ${own.map((e) => e.type).join(", ")}`;
    return undefined;
  };
  return until(`the phone to sync "${title}" as expected`, synced, ms).catch((err: Error) => {
    throw new Error(`${err.message}; saw ${seen}`);
  });
}

export const ended = (e: ThreadEvent): boolean => e.type === "status" && ["done", "failed", "stopped"].includes(e.status);

// Runs inside VS Code: Share Read-Only… on a thread in the Tasks view. A new link is copied to
// the clipboard and opens that thread only on the relay; the same menu lists it and revokes it,
// after which the relay refuses it. The quick pick is answered where it would open, as a person
// would pick (VS Code's extension tests run with nobody at the keyboard).

import assert from "node:assert/strict";
import * as vscode from "vscode";
import { ErrorCode } from "#protocol";
import { parseShareFragment, shareToken } from "#protocol/share";
import { refusal, shareViewer, type PairedPhone } from "../../support/phone";
import { until } from "../../support/wait";
import { summarise } from "../scenarios";
import { onlyInPhase } from "../support/desk";
import { ended, pairThroughEditor } from "../support/phones";

type Item = vscode.QuickPickItem & { action: "create" | "revoke"; shareId?: string; link?: string };
type ShowQuickPick = (items: readonly Item[], options?: vscode.QuickPickOptions) => Thenable<Item | undefined>;

/** Runs Share Read-Only… on the thread, picking what `choose` picks of the items the menu offers. */
async function shareMenu(
  threadId: string,
  title: string,
  choose: (items: readonly Item[]) => Item | undefined,
): Promise<{ items: readonly Item[]; title: string | undefined }> {
  const window = vscode.window as unknown as { showQuickPick: ShowQuickPick };
  const original = window.showQuickPick;
  let seen: { items: readonly Item[]; title: string | undefined } | undefined;
  window.showQuickPick = (items, options) => {
    seen = { items, title: options?.title };
    return Promise.resolve(choose(items));
  };
  try {
    // What the Tasks view's context menu passes: the item with its summary.
    await vscode.commands.executeCommand("tether.thread.share", { summary: { threadId, title } });
  } finally {
    window.showQuickPick = original;
  }
  assert.ok(seen, "the command showed no menu");
  return seen;
}

describe("Tether in VS Code: sharing a thread read-only", function () {
  this.timeout(60_000);
  let phone: PairedPhone;

  before(onlyInPhase(undefined));
  before(async () => {
    phone = await pairThroughEditor("Pixel that shares");
  });
  after(() => phone?.close());

  it("copies a new link that opens that thread only, lists it, and revokes it", async () => {
    const relay = vscode.workspace.getConfiguration("tether").get<string>("relayUrl")!;
    const threadId = await vscode.commands.executeCommand<string | undefined>("tether.newTask", summarise.task);
    assert.ok(threadId, "Tether: New Task started no task");
    await phone.waitFor(threadId, ended);

    const first = await shareMenu(threadId, summarise.task, (items) => items.find((i) => i.action === "create"));
    assert.equal(first.title, `Share "${summarise.task}" read-only`);
    assert.deepEqual(
      first.items.map((i) => i.action),
      ["create"],
      "no link yet",
    );
    const copied = await until("the link on the clipboard", async () =>
      parseShareFragment(await vscode.env.clipboard.readText()),
    );
    assert.equal(copied.threadId, threadId);

    // The relay lets the link's token read that thread's sealed events, and no other thread's.
    const token = await shareToken(copied.secret);
    const { socket: viewer, threads } = await shareViewer(relay, token);
    assert.ok(threads.length > 0 && threads.every((t) => t === threadId), threads.join());

    const listed = await shareMenu(threadId, summarise.task, () => undefined);
    const revoke = listed.items.find((i) => i.action === "revoke");
    assert.equal(revoke?.shareId, copied.shareId);
    assert.doesNotMatch(revoke.detail ?? "", new RegExp(copied.secret), "the menu does not show the secret");

    const cut = new Promise((resolve) => viewer.once("disconnect", resolve));
    await shareMenu(threadId, summarise.task, (items) => items.find((i) => i.action === "revoke"));
    await cut;
    assert.equal((await refusal(relay, { share: token })).code, ErrorCode.Unauthorized);
    const after = await shareMenu(threadId, summarise.task, () => undefined);
    assert.deepEqual(
      after.items.map((i) => i.action),
      ["create"],
      "the revoked link is gone from the menu",
    );
    // Gone again, so the Tasks view the later suites read is as they expect it.
    await deleteThread(threadId, summarise.task);
    await until("the thread deleted", async () => !(await phone.sync()).summaries.some((t) => t.threadId === threadId));
  });
});

type ShowMessage = (message: string, ...rest: unknown[]) => Thenable<unknown>;

/** Deletes the thread as its Delete menu item does, the modal answered "Delete": the Tasks view is left as it was. */
async function deleteThread(threadId: string, title: string): Promise<void> {
  const window = vscode.window as unknown as { showWarningMessage: ShowMessage };
  const original = window.showWarningMessage;
  window.showWarningMessage = (message, ...rest) => {
    const [options, ...items] = rest as [{ modal?: boolean } | undefined, ...unknown[]];
    if (options?.modal && items.includes("Delete")) return Promise.resolve("Delete");
    return original.call(vscode.window, message, ...rest);
  };
  try {
    await vscode.commands.executeCommand("tether.thread.delete", { summary: { threadId, title } });
  } finally {
    window.showWarningMessage = original;
  }
}

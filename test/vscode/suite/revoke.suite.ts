// Runs inside VS Code: Revoke on a phone in the Devices view. The relay cuts the phone off at
// once and refuses its token from then on; the phone that stays gets the editor's new key.

import assert from "node:assert/strict";
import * as vscode from "vscode";
import { rekeyRecordKey, type ConnectErrorData } from "#protocol";
import { connect, connected, type PairedPhone } from "../../support/phone";
import { until } from "../../support/wait";
import { onlyInPhase } from "../support/desk";
import { pairThroughEditor } from "../support/phones";

type ShowMessage = (message: string, ...rest: unknown[]) => Thenable<unknown>;

/**
 * Answers the editor's "Revoke …?" confirmation with "Revoke", where the modal would open (VS
 * Code shows no modal dialogs while extension tests run), and records what it asked.
 */
function confirmRevoke(): { asked: string[]; restore(): void } {
  const window = vscode.window as unknown as { showWarningMessage: ShowMessage };
  const original = window.showWarningMessage;
  const asked: string[] = [];
  window.showWarningMessage = (message, ...rest) => {
    const [options, ...items] = rest as [{ modal?: boolean } | undefined, ...unknown[]];
    if (options?.modal && items.includes("Revoke")) {
      asked.push(message);
      return Promise.resolve("Revoke");
    }
    return original.call(vscode.window, message, ...rest);
  };
  return { asked, restore: () => void (window.showWarningMessage = original) };
}

describe("Tether in VS Code: revoking a phone", function () {
  this.timeout(60_000);
  let lost: PairedPhone;
  let kept: PairedPhone;

  before(onlyInPhase(undefined));
  before(async () => {
    lost = await pairThroughEditor("Pixel that was lost");
    kept = await pairThroughEditor("Pixel that stays");
  });

  after(() => {
    lost?.close();
    kept?.close();
  });

  it("disconnects the phone at once, refuses its token, and gives the other phone a new key", async () => {
    const relay = vscode.workspace.getConfiguration("tether").get<string>("relayUrl")!;
    const disconnected = new Promise<number>((resolve) => lost.socket.once("disconnect", () => resolve(Date.now())));
    const prompts = confirmRevoke();
    const started = Date.now();
    try {
      // What the Devices view's context menu passes: the item with its phone.
      await vscode.commands.executeCommand("tether.device.revoke", { phone: { id: lost.deviceId, name: "Pixel that was lost" } });
    } finally {
      prompts.restore();
    }
    assert.deepEqual(prompts.asked, ['Revoke "Pixel that was lost"?']);
    const cutAfter = (await disconnected) - started;
    assert.ok(cutAfter < 1_000, `the phone was disconnected ${cutAfter} ms after Revoke`);

    // Its token no longer opens a connection.
    const again = connect(relay, { token: lost.token });
    const refused = await connected(again).then(
      () => undefined,
      (err: { data?: ConnectErrorData }) => err.data,
    );
    again.close();
    assert.equal(refused?.code, "unauthorized", "the revoked phone connected again");

    // The other phone is still connected and finds its share of the new key on the relay.
    assert.ok(kept.socket.connected, "revoking one phone disconnected the other");
    let records: string[] = [];
    const rekeyed = async (): Promise<boolean> => {
      const page = await kept.socket.timeout(10_000).emitWithAck("sync", { hostId: kept.hostId, cursors: {} });
      records = page.ok ? page.records.map((r: { key: string }) => r.key) : [];
      return records.includes(rekeyRecordKey(kept.deviceId));
    };
    await until("a new key for the remaining phone", rekeyed, 10_000).catch((err: Error) => {
      throw new Error(`${err.message}; the relay holds ${records.join(", ")}`);
    });
    assert.ok(!records.includes(rekeyRecordKey(lost.deviceId)), "the revoked phone got a new key");
    console.log(`      revoked phone disconnected ${cutAfter} ms after Revoke`);
  });
});

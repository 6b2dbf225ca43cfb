// "Revoke" on a phone in the Devices view: after a modal confirmation the relay disconnects
// the phone and refuses it from then on, and the other phones get a new content key.

import * as vscode from "vscode";
import { TetherError } from "#protocol";
import type { DeviceItem } from "../views/devicesView";
import type { EditorCommand } from "./command";
import { COMMAND_IDS } from "./ids";

export const revokePhone: EditorCommand<typeof COMMAND_IDS.revokePhone> = {
  id: COMMAND_IDS.revokePhone,
  async run(deps, item?: DeviceItem) {
    try {
      const host = await deps.session.get();
      const phone = item?.phone ?? (await choosePhone(host.phoneList()));
      if (!phone) return;
      const pick = await vscode.window.showWarningMessage(
        `Revoke "${phone.name}"?`,
        {
          modal: true,
          detail:
            "The phone is disconnected at once and can no longer reach this editor. The other phones get a new key it never sees. To use it again, pair it again.",
        },
        "Revoke",
      );
      if (pick !== "Revoke") return;
      await host.revokePhone(phone.id);
      void vscode.window.showInformationMessage(`Tether: revoked "${phone.name}".`);
    } catch (err) {
      const message = err instanceof TetherError ? err.message : `Could not revoke the phone: ${(err as Error).message}`;
      void vscode.window.showErrorMessage(`Tether: ${message}`);
    }
  },
};

/** From the command palette: choose among the paired phones. */
async function choosePhone<P extends { id: string; name: string }>(phones: P[]): Promise<P | undefined> {
  if (phones.length === 0) {
    void vscode.window.showInformationMessage("Tether: no phone is paired with this editor.");
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(
    phones.map((phone) => ({ label: phone.name, description: phone.id, phone })),
    { title: "Tether: Revoke Phone", placeHolder: "Which phone should no longer reach this editor?" },
  );
  return chosen?.phone;
}

// "Always on this computer" in the editor: the rule goes into the user's own `tether.policy.allow`
// (machine scope, so it lives on the computer the host runs on and no workspace can add one),
// where the person sees it and can take it out; the host applies that list to every thread
// without a restart (hostSession.ts watches it). A message says what was added, with Undo.

import * as vscode from "vscode";
import type { DeviceRef } from "#protocol";
import { readSettings } from "./settings";

const SETTING = "policy.allow";

/** The user's own rule list, as the settings file holds it. */
function userRules(): string[] {
  const value = vscode.workspace.getConfiguration("tether").inspect<unknown>(SETTING)?.globalValue;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

async function writeRules(rules: string[]): Promise<void> {
  await vscode.workspace.getConfiguration("tether").update(SETTING, rules, vscode.ConfigurationTarget.Global);
}

/**
 * For `addHostRule`: puts `rule` in force at once through `apply` (the setting's change event
 * follows, a moment later), then keeps it in the user's settings and says so.
 */
export function editorHostRules(apply: (rules: string[]) => void): (rule: string, by: DeviceRef) => void {
  return (rule, by) => {
    const now = readSettings().allow;
    if (!now.includes(rule)) apply([...now, rule]);
    void (async () => {
      const kept = userRules();
      if (!kept.includes(rule)) await writeRules([...kept, rule]);
      const choice = await vscode.window.showInformationMessage(
        `Tether: \`${rule}\` now runs without asking on this computer (chosen on ${by.name}).`,
        "Undo",
        "Open Settings",
      );
      if (choice === "Undo") await writeRules(userRules().filter((kept) => kept !== rule));
      else if (choice === "Open Settings") {
        await vscode.commands.executeCommand("workbench.action.openSettings", "tether.policy.allow");
      }
    })().catch((err: unknown) => {
      void vscode.window.showErrorMessage(`Tether: could not keep the rule \`${rule}\`: ${(err as Error).message}`);
    });
  };
}

// "Tether: Set API Key": stores the key for an OpenAI-compatible server or Anthropic in
// SecretStorage, or removes it.

import * as vscode from "vscode";
import type { KeyProvider } from "../apiKeys";
import type { EditorCommand } from "./command";
import { COMMAND_IDS } from "./ids";

export const setApiKey: EditorCommand<typeof COMMAND_IDS.setApiKey> = {
  id: COMMAND_IDS.setApiKey,
  async run(deps) {
    const picked = await vscode.window.showQuickPick(
      [
        { label: "OpenAI-compatible", description: "OpenAI, OpenRouter, vLLM, LM Studio…", provider: "openai" as KeyProvider },
        { label: "Anthropic", description: "Claude models", provider: "anthropic" as KeyProvider },
      ],
      { title: "Tether: Set API Key", placeHolder: "Which provider is the key for?" },
    );
    if (!picked) return;
    const has = deps.keys.get(picked.provider) !== undefined;
    const key = await vscode.window.showInputBox({
      title: `${picked.label} API key`,
      prompt: has
        ? "A key is stored. Enter a new one, or leave empty and press Enter to remove it."
        : "Stored in the editor's secret storage, never in settings.",
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return;
    // SecretStorage tells every window, this one too, and the host restarts with the key.
    await deps.keys.set(picked.provider, key.trim() || undefined);
    void vscode.window.showInformationMessage(
      key.trim() ? `Tether: ${picked.label} key stored.` : `Tether: ${picked.label} key removed.`,
    );
  },
};

// The model for a task in the editor: the editor's own (`vscode.lm`, the default) or an
// OpenAI-compatible / Anthropic server with a key from SecretStorage. The core asks
// synchronously; the editor's model is picked on the first request, which comes from a
// person starting a task, so VS Code's consent prompt appears when it makes sense.

import * as vscode from "vscode";
import { resolveModel } from "../core/agent/model/config";
import { ModelNotConfigured, type ModelPort, type ModelRequest, type ModelTurn } from "../core/agent/model/port";
import type { ApiKeys } from "./apiKeys";
import { selectEditorModel, type EditorModel } from "./lmModel";
import type { EditorSettings } from "./settings";

class LazyEditorModel implements ModelPort {
  readonly id: string;
  private chosen: Promise<EditorModel> | undefined;

  constructor(private readonly preferred: string) {
    this.id = `vscode:${preferred || "default"}`;
  }

  complete(request: ModelRequest): Promise<ModelTurn> {
    this.chosen ??= selectEditorModel(this.preferred || undefined).catch((err: unknown) => {
      this.chosen = undefined;
      throw err;
    });
    return this.chosen.then((model) => model.complete(request));
  }

  /** Whether the editor offers the model; listing asks for no consent, so nothing shows yet. */
  async check(): Promise<void> {
    await selectEditorModel(this.preferred || undefined);
  }
}

/** `requested` is what a phone picked for a task (`provider:model`), else the settings' model. */
export function editorModelResolver(settings: EditorSettings, keys: ApiKeys): (requested?: string) => ModelPort {
  return (requested) => {
    if (requested?.startsWith("vscode:")) return new LazyEditorModel(requested.slice("vscode:".length).replace(/^default$/, ""));
    if (!requested && settings.provider === "editor") return new LazyEditorModel(settings.model);
    const spec = requested ?? `${settings.provider}:${settings.model}`;
    const anthropic = spec.startsWith("anthropic:");
    try {
      return resolveModel(
        {
          model: spec,
          ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}),
          apiKey: keys.get(anthropic ? "anthropic" : "openai"),
        },
        {},
      );
    } catch (err) {
      // The core speaks of environment variables; in the editor keys come from a command.
      if (err instanceof ModelNotConfigured && /_API_KEY|OPENAI_BASE_URL/.test(err.message)) {
        throw new ModelNotConfigured(
          `No ${anthropic ? "Anthropic" : "OpenAI"} API key: run "Tether: Set API Key", or set tether.model.baseUrl to a local server such as Ollama.`,
        );
      }
      throw err;
    }
  };
}

/** What a phone may pick for a task: the editor's models, then the configured one. */
export async function offeredModels(settings: EditorSettings): Promise<string[]> {
  const offered: string[] = [];
  if (settings.provider !== "editor" && settings.model) offered.push(`${settings.provider}:${settings.model}`);
  try {
    // Listing asks for no consent; only a request does.
    for (const chat of await vscode.lm.selectChatModels()) offered.push(`vscode:${chat.vendor}/${chat.family}`);
  } catch {
    // No language model API here (an older editor): only the configured model.
  }
  if (settings.provider === "editor") offered.unshift(`vscode:${settings.model || "default"}`);
  return [...new Set(offered)];
}

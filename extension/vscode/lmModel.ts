// The editor's own models (Copilot and any other `vscode.lm` provider) behind Tether's model
// port. VS Code has no system role, so the system prompt opens the conversation as a user
// turn; tool results go back as user turns holding tool-result parts, as the API asks.

import * as vscode from "vscode";
import {
  ModelError,
  ModelNotConfigured,
  type ModelMessage,
  type ModelPort,
  type ModelRequest,
  type ModelTurn,
  type ToolCall,
} from "../core/agent/model/port";

const JUSTIFICATION = "Tether runs the coding agent you started from your phone or the editor with this model.";

export class EditorModel implements ModelPort {
  readonly id: string;

  constructor(private readonly chat: vscode.LanguageModelChat) {
    this.id = `vscode:${chat.vendor}/${chat.family}`;
  }

  async complete(request: ModelRequest): Promise<ModelTurn> {
    const cancel = new vscode.CancellationTokenSource();
    const onAbort = (): void => cancel.cancel();
    request.signal.addEventListener("abort", onAbort, { once: true });
    try {
      const response = await this.chat.sendRequest(
        toEditorMessages(request.system, request.messages),
        {
          justification: JUSTIFICATION,
          tools: request.tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.parameters })),
        },
        cancel.token,
      );
      let text = "";
      const toolCalls: ToolCall[] = [];
      for await (const part of response.stream) {
        if (request.signal.aborted) break;
        if (part instanceof vscode.LanguageModelTextPart) {
          text += part.value;
          request.onText?.(part.value);
        } else if (part instanceof vscode.LanguageModelToolCallPart) {
          toolCalls.push({ id: part.callId, name: part.name, args: JSON.stringify(part.input ?? {}) });
        }
      }
      if (request.signal.aborted) throw abortError();
      return { text, toolCalls, stop: toolCalls.length > 0 ? "tool-calls" : "end" };
    } catch (err) {
      if (request.signal.aborted) throw abortError();
      throw explain(err, this.chat.name);
    } finally {
      request.signal.removeEventListener("abort", onAbort);
      cancel.dispose();
    }
  }
}

/** The editor model to use: the one named in settings (`vendor/family` or a family), else the first offered. */
export async function selectEditorModel(preferred?: string): Promise<EditorModel> {
  const [vendor, family] = preferred?.includes("/") ? preferred.split("/", 2) : [undefined, preferred || undefined];
  const models = await vscode.lm.selectChatModels({ ...(vendor ? { vendor } : {}), ...(family ? { family } : {}) });
  const chat = models[0];
  if (!chat) {
    throw new ModelNotConfigured(
      preferred
        ? `VS Code offers no language model "${preferred}". Pick another with the tether.model setting, or sign in to GitHub Copilot.`
        : 'VS Code offers no language models. Sign in to GitHub Copilot (or another model provider), or set an OpenAI-compatible or Anthropic model with "Tether: Set API Key".',
    );
  }
  return new EditorModel(chat);
}

export function toEditorMessages(system: string, messages: readonly ModelMessage[]): vscode.LanguageModelChatMessage[] {
  const out: vscode.LanguageModelChatMessage[] = [vscode.LanguageModelChatMessage.User(system)];
  let results: vscode.LanguageModelToolResultPart[] = [];
  const flush = (): void => {
    if (results.length === 0) return;
    out.push(vscode.LanguageModelChatMessage.User(results));
    results = [];
  };
  for (const m of messages) {
    if (m.role === "tool") {
      const content = m.isError ? `Error: ${m.content}` : m.content;
      results.push(new vscode.LanguageModelToolResultPart(m.callId, [new vscode.LanguageModelTextPart(content)]));
      continue;
    }
    flush();
    if (m.role === "user") out.push(vscode.LanguageModelChatMessage.User(m.content));
    else {
      const parts: (vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart)[] = [];
      if (m.content) parts.push(new vscode.LanguageModelTextPart(m.content));
      for (const call of m.toolCalls) parts.push(new vscode.LanguageModelToolCallPart(call.id, call.name, parseArgs(call.args)));
      if (parts.length > 0) out.push(vscode.LanguageModelChatMessage.Assistant(parts));
    }
  }
  flush();
  return out;
}

function parseArgs(args: string): object {
  try {
    const value: unknown = JSON.parse(args);
    return value && typeof value === "object" ? value : {};
  } catch {
    return {};
  }
}

/** `LanguageModelError`s in words a person can act on. */
function explain(err: unknown, modelName: string): Error {
  if (err instanceof vscode.LanguageModelError) {
    switch (err.code) {
      case vscode.LanguageModelError.NoPermissions.name:
        return new ModelError(
          `VS Code has not allowed Tether to use ${modelName}. Start a task from the editor once and choose Allow when VS Code asks.`,
          undefined,
          false,
        );
      case vscode.LanguageModelError.Blocked.name:
        return new ModelError(
          `${modelName} refused the request: its quota is used up or access is blocked. ${err.message}`,
          undefined,
          false,
        );
      case vscode.LanguageModelError.NotFound.name:
        return new ModelError(
          `${modelName} is no longer available in VS Code. Pick another with the tether.model setting.`,
          undefined,
          false,
        );
      default: {
        const cause = err.cause instanceof Error ? err.cause.message : err.message;
        return new ModelError(`${modelName} failed: ${cause}`, undefined, false);
      }
    }
  }
  return new ModelError(`${modelName} failed: ${(err as Error).message}`, undefined, false);
}

function abortError(): Error {
  const err = new Error("stopped");
  err.name = "AbortError";
  return err;
}

// Tether's settings (`tether.*`, declared with descriptions in package.json), read in this one
// place. Changes are watched where they matter, with `affectsConfiguration`.

import * as vscode from "vscode";
import { policyModeSchema, type PolicyMode } from "../../protocol/index";
import { parseRuleList } from "../core/agent/policy/policy";

export type ModelProvider = "editor" | "openai" | "anthropic" | "ollama";

export interface EditorSettings {
  relayUrl: string;
  provider: ModelProvider;
  /** For `editor`: `vendor/family` or a family; otherwise the provider's model name. */
  model: string;
  baseUrl: string;
  mode: PolicyMode;
  allow: string[];
  deny: string[];
  maxThreads: number;
  notifications: boolean;
  keepAwake: boolean;
}

/** Settings whose change restarts the host (a new relay, a new model or policy). */
export const RESTART_SETTINGS = ["tether.relayUrl", "tether.model", "tether.policy", "tether.maxThreads", "tether.notifications"];

const PROVIDERS: readonly ModelProvider[] = ["editor", "openai", "anthropic", "ollama"];

export function readSettings(
  config: vscode.WorkspaceConfiguration = vscode.workspace.getConfiguration("tether"),
): EditorSettings {
  const provider = config.get<string>("model.provider", "editor");
  const mode = policyModeSchema.safeParse(config.get<string>("policy.mode", "ask"));
  const maxThreads = config.get<number>("maxThreads", 2);
  return {
    relayUrl: config.get<string>("relayUrl", "http://127.0.0.1:8787"),
    provider: PROVIDERS.includes(provider as ModelProvider) ? (provider as ModelProvider) : "editor",
    model: config.get<string>("model.name", "").trim(),
    baseUrl: config.get<string>("model.baseUrl", "").trim(),
    mode: mode.success ? mode.data : "ask",
    allow: parseRuleList(config.get<string[]>("policy.allow", []).join(",")),
    deny: parseRuleList(config.get<string[]>("policy.deny", []).join(",")),
    maxThreads: Number.isInteger(maxThreads) && maxThreads >= 1 && maxThreads <= 32 ? maxThreads : 2,
    notifications: config.get<boolean>("notifications", true),
    keepAwake: config.get<boolean>("keepAwake", true),
  };
}

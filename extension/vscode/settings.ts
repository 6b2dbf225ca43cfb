// Tether's settings (`tether.*`, declared with descriptions in package.json), read in this one
// place. Changes are watched where they matter, with `affectsConfiguration`.
//
// Every one is the user's alone: package.json gives each `"scope": "machine"`, so VS Code ignores
// them in a workspace's `.vscode/settings.json` (a cloned repository could otherwise switch on
// full-auto, add allow rules, or send the API key to its own server), and in a remote window reads
// them from the remote machine's settings, where the host runs. They are read here from the user's
// value or the default only, never `get()`'s merged value: VS Code keeps a setting it does not know
// yet unfiltered, whatever its scope, so a workspace value could surface while the extension's
// contributions are still being registered. test/vscode/package.test.ts keeps every setting so.

import * as vscode from "vscode";
import { policyModeSchema, type PolicyMode } from "#protocol";
import { parseRuleList } from "../core/agent/policy/policy";
import { parseAgentSettings, type AgentSettings } from "./agentSettings";

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
  /** A task runs in a git worktree of its own unless it says otherwise. */
  worktrees: boolean;
}

/** Settings whose change restarts the host (a new relay, a new model or policy). */
export const RESTART_SETTINGS = [
  "tether.relayUrl",
  "tether.model",
  "tether.policy",
  "tether.maxThreads",
  "tether.notifications",
  "tether.worktrees",
];

/**
 * What the host takes from the settings when it starts, and restarts to change (not `keepAwake`,
 * read at the next start, nor `allow`, which the running host applies at once: a rule added by
 * "Always on this computer" or taken out must not interrupt the runs it is meant for).
 */
const RESTART_FIELDS = [
  "relayUrl",
  "provider",
  "model",
  "baseUrl",
  "mode",
  "deny",
  "maxThreads",
  "notifications",
  "worktrees",
] as const;

const PROVIDERS: readonly ModelProvider[] = ["editor", "openai", "anthropic", "ollama"];

/** The user's value of `tether.<key>` (user or remote settings), else the default: never a workspace's. */
export function userValue<T>(config: vscode.WorkspaceConfiguration, key: string, fallback: T): T {
  const values = config.inspect<T>(key);
  return values?.globalValue ?? values?.defaultValue ?? fallback;
}

export function readSettings(
  config: vscode.WorkspaceConfiguration = vscode.workspace.getConfiguration("tether"),
): EditorSettings {
  const read = <T>(key: string, fallback: T): T => userValue(config, key, fallback);
  const provider = read<string>("model.provider", "editor");
  const mode = policyModeSchema.safeParse(read<string>("policy.mode", "ask"));
  const maxThreads = read<number>("maxThreads", 2);
  return {
    relayUrl: read<string>("relayUrl", "http://127.0.0.1:8787"),
    provider: PROVIDERS.includes(provider as ModelProvider) ? (provider as ModelProvider) : "editor",
    model: String(read<string>("model.name", "")).trim(),
    baseUrl: String(read<string>("model.baseUrl", "")).trim(),
    mode: mode.success ? mode.data : "ask",
    allow: parseRuleList(ruleList(read<unknown>("policy.allow", []))),
    deny: parseRuleList(ruleList(read<unknown>("policy.deny", []))),
    maxThreads: Number.isInteger(maxThreads) && maxThreads >= 1 && maxThreads <= 32 ? maxThreads : 2,
    notifications: read<boolean>("notifications", true) !== false,
    keepAwake: read<boolean>("keepAwake", true) !== false,
    worktrees: read<boolean>("worktrees", false) === true,
  };
}

/** A rule list as the settings file holds it; anything but a list of strings is no rules. */
function ruleList(value: unknown): string {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string").join(",") : "";
}

/**
 * Whether a host started with `running` must restart to apply `next`. A configuration event
 * alone is not enough: one may come from a file that changes nothing the host reads (a
 * workspace's `tether.*` values, which are ignored), and restarting would interrupt its runs.
 */
export function needsRestart(running: EditorSettings, next: EditorSettings): boolean {
  return RESTART_FIELDS.some((field) => JSON.stringify(running[field]) !== JSON.stringify(next[field]));
}

/** The outside agents (`tether.agents`, `tether.defaultAgent`) from the user's values, never a workspace's. */
export function readAgentSettings(
  config: vscode.WorkspaceConfiguration = vscode.workspace.getConfiguration("tether"),
): AgentSettings {
  return parseAgentSettings(userValue<unknown>(config, "agents", {}), userValue<unknown>(config, "defaultAgent", "tether"));
}

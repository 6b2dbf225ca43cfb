// The host's keys and pairings in the editor's SecretStorage (the OS keychain where there is one).

import type * as vscode from "vscode";
import type { HostState, StateStore } from "../core/identity";

const KEY = "tether.hostState";

export function secretState(secrets: vscode.SecretStorage): StateStore {
  return {
    async load() {
      const text = await secrets.get(KEY);
      if (text === undefined) return null;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new Error("Tether's stored keys are unreadable; run 'Tether: Pair Phone' again after clearing them.");
      }
    },
    save: (state: HostState) => Promise.resolve(secrets.store(KEY, JSON.stringify(state))),
  };
}

// The context keys the first-run walkthrough (package.json `walkthroughs`) completes its steps
// on: the relay connected, a phone paired, a task exists. Each follows the running host, so a
// step ticks when it really happened, whether from the walkthrough's button or elsewhere.

import * as vscode from "vscode";
import type { HostSession } from "./hostSession";

/** The keys, as package.json's `onContext:` completion events name them. */
export const FIRST_RUN_KEYS = {
  relayConnected: "tether.relayConnected",
  phonePaired: "tether.phonePaired",
  hasTasks: "tether.hasTasks",
} as const;

export function registerFirstRunContext(session: HostSession): vscode.Disposable {
  const set = (key: string, value: boolean): void => void vscode.commands.executeCommand("setContext", key, value);
  let detach: (() => void) | undefined;
  const started = session.onDidStart(({ host, agent }) => {
    detach?.();
    const phones = (): void => set(FIRST_RUN_KEYS.phonePaired, host.phoneList().length > 0);
    const state = (): void => set(FIRST_RUN_KEYS.relayConnected, host.link.state === "open");
    const tasks = (): void => set(FIRST_RUN_KEYS.hasTasks, agent.manager.list().length > 0);
    host.on("phones", phones);
    host.on("state", state);
    agent.manager.on("summary", tasks);
    phones();
    state();
    tasks();
    detach = () => {
      host.off("phones", phones);
      host.off("state", state);
      agent.manager.off("summary", tasks);
    };
  });
  return vscode.Disposable.from(started, { dispose: () => detach?.() });
}

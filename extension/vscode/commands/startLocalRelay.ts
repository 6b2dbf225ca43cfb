// "Tether: Start a Local Relay": this window's own relay (windowRelay.ts), and how a phone reaches it.

import type { EditorCommand } from "./command";
import { COMMAND_IDS } from "./ids";

export const startLocalRelay: EditorCommand<typeof COMMAND_IDS.startLocalRelay> = {
  id: COMMAND_IDS.startLocalRelay,
  run: (deps) => deps.localRelay.startForWindow(),
};

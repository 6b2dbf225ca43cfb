// "Tether: Show Log": the host's output channel.

import type { EditorCommand } from "./command";
import { COMMAND_IDS } from "./ids";

export const showLog: EditorCommand<typeof COMMAND_IDS.showLog> = {
  id: COMMAND_IDS.showLog,
  run: (deps) => deps.channel.show(),
};

// "Stop" on a running thread (the Threads view's item): the run ends as the phone's Stop ends it.

import type { ThreadItem } from "../views/threadsView";
import { sendAsEditor, type EditorCommand } from "./command";
import { COMMAND_IDS } from "./ids";

export const stopThread: EditorCommand<typeof COMMAND_IDS.stopThread> = {
  id: COMMAND_IDS.stopThread,
  run: (deps, item: ThreadItem) => sendAsEditor(deps, { type: "stop", threadId: item.summary.threadId }),
};

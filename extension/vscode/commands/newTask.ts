// "Tether: New Task": the form in a panel; with a text (a keybinding's `args`, another
// extension), the task at once, answering its thread id.

import { showFailure, type EditorCommand } from "./command";
import { COMMAND_IDS } from "./ids";

export const newTask: EditorCommand<typeof COMMAND_IDS.newTask> = {
  id: COMMAND_IDS.newTask,
  async run(deps, text?: unknown): Promise<string | undefined> {
    if (typeof text !== "string" || !text.trim()) {
      deps.panels.openNewTask();
      return undefined;
    }
    try {
      const threadId = await deps.panels.startTask(text.trim());
      await deps.panels.open(threadId);
      return threadId;
    } catch (err) {
      showFailure(err);
      return undefined;
    }
  },
};

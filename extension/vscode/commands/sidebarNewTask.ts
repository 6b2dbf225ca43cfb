// "New Task in the Sidebar" (a keybinding): reveals the sidebar with its composer focused.

import type { EditorCommand } from "./command";
import { COMMAND_IDS } from "./ids";

export const sidebarNewTask: EditorCommand<typeof COMMAND_IDS.sidebarNewTask> = {
  id: COMMAND_IDS.sidebarNewTask,
  run: (deps) => deps.sidebar.newTask(),
};

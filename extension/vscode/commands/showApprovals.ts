// "Tether: Show Pending Approvals": pick a waiting approval from a list, then decide it.

import type { EditorCommand } from "./command";
import { COMMAND_IDS } from "./ids";

export const showApprovals: EditorCommand<typeof COMMAND_IDS.showApprovals> = {
  id: COMMAND_IDS.showApprovals,
  run: (deps) => deps.approvals.showPending(),
};

// The suite, in the order `npm run bench` runs it.

import type { Scenario } from "../lib/scenario";
import { acpScenario } from "./acp";
import { approval } from "./approval";
import { catchup } from "./catchup";
import { changesScenario } from "./changes";
import { cryptoScenario } from "./crypto";
import { idle } from "./idle";
import { lighthouse } from "./lighthouse";
import { mirror } from "./mirror";
import { pwa } from "./pwa";
import { soak } from "./soak";
import { terminal } from "./terminal";
import { throughput } from "./throughput";
import { worktreeScenario } from "./worktree";

export const scenarios: Scenario[] = [
  approval,
  throughput,
  idle,
  catchup,
  mirror,
  cryptoScenario,
  pwa,
  terminal,
  lighthouse,
  acpScenario,
  worktreeScenario,
  changesScenario,
];

/** Scenarios of minutes, not part of the default run: only when named (`npm run bench -- soak`). */
export const longRuns: Scenario[] = [soak];

// What every handler shares: the server, the store, the log, the guards, and where a host's
// commands and calls go.

import type { RelayConfig } from "../config";
import type { Logger } from "../log";
import type { AuthBackoff, DeviceBudget } from "../rateLimit";
import type { RelayStore } from "../store/store";
import type { HostSockets } from "./hostSockets";
import type { TetherServer } from "./types";

export interface HandlerContext {
  io: TetherServer;
  store: RelayStore;
  log: Logger;
  config: RelayConfig;
  now: () => number;
  /** Per-device event budgets and the per-address pause after failed sign-ins. */
  guards: { events: DeviceBudget; auth: AuthBackoff };
  /** Each host's newest socket, where its commands and calls go. */
  hosts: HostSockets;
}

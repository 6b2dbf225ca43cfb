// What every handler shares: the server, the store, the log, the guards, and where a host's
// commands and calls go.

import type { RelayConfig } from "../config";
import type { Logger } from "../log";
import type { DeviceBudget, LimitCounters, SignInPauses } from "../rateLimit";
import type { RelayStore } from "../store/store";
import type { HostSockets } from "./hostSockets";
import type { PhoneFanout } from "./phoneFanout";
import type { TetherServer } from "./types";

export interface HandlerContext {
  io: TetherServer;
  store: RelayStore;
  log: Logger;
  config: RelayConfig;
  now: () => number;
  /**
   * Per-device event budgets (this process), the per-address pause after failed sign-ins and
   * where other limits count (both across relay processes with Redis).
   */
  guards: { events: DeviceBudget; auth: SignInPauses; counters: LimitCounters };
  /** Each host's newest socket, where its commands and calls go. */
  hosts: HostSockets;
  /** What a host sends its phones, stored events gathered per turn, everything in order. */
  phones: PhoneFanout;
}

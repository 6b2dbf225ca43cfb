// Telling the relay where to reach this phone: `push:subscribe` with the browser's
// subscription and the muted hosts, `push:unsubscribe` to stop. Both are acked.

import { answerSchema } from "#protocol/schemas";
import type { PushSubscribe } from "#protocol/push";
import { failed, request, type TetherSocket } from "../link/request";

export const PUSH_REQUEST_TIMEOUT_MS = 10_000;

/** The relay's side of notifications, as the settings need it. Rejects with a TetherError. */
export interface PushRelay {
  subscribe(subscription: PushSubscribe): Promise<void>;
  unsubscribe(): Promise<void>;
}

const ackSchema = answerSchema({});

/** `connection` resolves with the socket once the relay greeted this phone (the app's own). */
export function pushRelayOverSocket(connection: () => Promise<TetherSocket>, timeoutMs = PUSH_REQUEST_TIMEOUT_MS): PushRelay {
  return {
    async subscribe(subscription) {
      const socket = await connection();
      const answer = await request(() => socket.timeout(timeoutMs).emitWithAck("push:subscribe", subscription), ackSchema);
      if (!answer.ok) throw failed(answer);
    },
    async unsubscribe() {
      const socket = await connection();
      const answer = await request(() => socket.timeout(timeoutMs).emitWithAck("push:unsubscribe", {}), ackSchema);
      if (!answer.ok) throw failed(answer);
    },
  };
}

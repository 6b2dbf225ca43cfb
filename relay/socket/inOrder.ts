// One socket's forwarding steps, kept in the order they were sent.

import type { TetherSocket } from "./types";

/**
 * Keeps what one socket asks the relay to forward in the order it was sent. Each step's store
 * work starts at once (a network store pipelines it), and its `then` runs only after the step
 * before it: a host's records, events and live output reach its phones in the order the host
 * sent them, whatever order the store answers in. (A rekey record must arrive before anything
 * sealed with the new key.)
 */
class InOrder {
  private tail: Promise<unknown> = Promise.resolve();

  run<T, R>(work: Promise<T>, then: (value: T) => R): Promise<R> {
    // Handled now, so a failure that comes while earlier steps still wait is not "unhandled".
    work.catch(() => undefined);
    const step = this.tail.then(() => work).then(then);
    this.tail = step.catch(() => undefined);
    return step;
  }
}

const orders = new WeakMap<TetherSocket, InOrder>();

export function inOrder(socket: TetherSocket): InOrder {
  let order = orders.get(socket);
  if (!order) orders.set(socket, (order = new InOrder()));
  return order;
}

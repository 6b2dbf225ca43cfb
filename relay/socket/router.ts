// The one table of events a client may send, and the one listener that dispatches them: who may
// send each event, its schema, an answer for every outcome, and never a throw. The table is
// built once per relay and every socket gets the same listener function, so a connection costs
// no closure of its own however many events there are (with ten thousand phones connected, a
// listener per event per socket was a third of what the relay added to Socket.IO's own cost).

import {
  ErrorCode,
  TetherError,
  failure,
  type AnswerOf,
  type ClientToServerEvents,
  type Failure,
  type RequestOf,
  type Schema,
} from "#protocol";
import { RateLimiter } from "../rateLimit";
import type { HandlerContext } from "./context";
import { describeIssues } from "./payloadIssues";
import { roleOf, type Role, type TetherSocket } from "./types";

/** One "over its budget" line per device a minute, however many events it sends. */
const overBudgetLogs = new RateLimiter(1, 60_000);

interface Route {
  event: string;
  schema: Schema<unknown>;
  allow: readonly Role[];
  run: (socket: TetherSocket, req: unknown) => unknown;
}

type Reply = (answer: unknown) => void;

export class Router {
  private readonly routes = new Map<string, Route>();
  /**
   * Socket.IO calls a socket's any-listeners with the socket as `this`: this one function
   * serves every socket.
   */
  private readonly listener: (this: TetherSocket, event: unknown, ...args: unknown[]) => void;
  /** The any-listeners of every socket: the one above, in one array for all (see attach). */
  private readonly listeners: readonly unknown[];

  /** `observe` sees every event's name as it arrives, before anything is checked (metrics). */
  constructor(
    private readonly ctx: HandlerContext,
    observe: (event: unknown) => void = () => undefined,
  ) {
    const dispatch = this.dispatch.bind(this);
    this.listener = function (event, ...args) {
      observe(event);
      dispatch(this, event, args);
    };
    this.listeners = Object.freeze([this.listener]);
  }

  /**
   * Adds `event` to the table. Its handler runs only for the allowed roles and with a payload
   * that passed `schema`; whatever it throws becomes a typed failure.
   */
  on<E extends keyof ClientToServerEvents>(
    event: E,
    schema: Schema<RequestOf<E>>,
    allow: readonly Role[],
    fn: (socket: TetherSocket, req: RequestOf<E>) => Promise<AnswerOf<E>> | AnswerOf<E>,
  ): void {
    if (this.routes.has(event)) throw new Error(`${event} is handled twice`);
    this.routes.set(event, { event, schema, allow, run: fn as Route["run"] });
  }

  /**
   * Every event the socket sends, known or not, goes through the table from now on.
   *
   * `onAny` would give each socket an array of its own for one function, 152 bytes a socket:
   * every socket gets the same array instead. Socket.IO copies it before calling the listeners,
   * and it is frozen, so an `onAny` or `offAny` on one socket throws rather than reaching the
   * others. Should Socket.IO keep its any-listeners elsewhere, `onAny` it is.
   */
  attach(socket: TetherSocket): void {
    const own = socket as unknown as { _anyListeners?: readonly unknown[] };
    if (own._anyListeners === undefined) {
      own._anyListeners = this.listeners;
      if (socket.listenersAny() === this.listeners) return;
      own._anyListeners = undefined;
    }
    socket.onAny(this.listener);
  }

  private dispatch(socket: TetherSocket, name: unknown, args: unknown[]): void {
    // Any-listeners run even for a packet that arrives as the socket goes; named listeners did not.
    if (!socket.connected) return;
    const { log, guards } = this.ctx;
    const device = socket.data.device;
    // Socket.IO puts the acknowledgement last; a client's payload is JSON and never a function.
    const last = args[args.length - 1];
    const reply = typeof last === "function" ? (last as Reply) : undefined;
    // A Map, so that no event name ("__proto__", "constructor") reaches an object's prototype.
    const route = typeof name === "string" ? this.routes.get(name) : undefined;
    const event = route?.event ?? "unknown";
    if (!reply) {
      // An unknown event without an acknowledgement is not logged: its name is the sender's words.
      if (route) log.warn("event without acknowledgement dropped", { event, device: device?.id });
      return;
    }
    const answer = (a: unknown): void => {
      try {
        reply(a);
      } catch (err) {
        log.warn("acknowledgement failed", { event, device: device?.id, error: (err as Error).message });
      }
    };
    if (!route) {
      answer(failure(ErrorCode.BadRequest, "The relay knows no such event."));
      return;
    }
    const role = roleOf(socket);
    if (!route.allow.includes(role)) {
      const code = role === "anonymous" ? ErrorCode.Unauthorized : ErrorCode.Forbidden;
      answer(failure(code, `${event} is not allowed for ${role === "anonymous" ? "an unauthenticated" : "a " + role} device`));
      return;
    }
    // A viewer spends its share's budget, as much as a phone's: all its viewers together.
    const spender = device ?? (socket.data.viewer && { id: `share:${socket.data.viewer.shareId}`, kind: "phone" as const });
    if (spender && !guards.events.take(spender)) {
      if (overBudgetLogs.take(spender.id)) log.warn("device over its event budget", { event, device: spender.id });
      answer(failure(ErrorCode.RateLimited, "Too many requests from this device; slow down."));
      return;
    }
    // One payload and the acknowledgement: `emit(event, payload, ack)`.
    if (args.length !== 2) {
      answer(failure(ErrorCode.BadRequest, `${event} takes one payload`));
      return;
    }
    const parsed = route.schema.safeParse(args[0]);
    if (!parsed.success) {
      const why = describeIssues(parsed.error);
      log.warn("invalid payload refused", { event, device: device?.id, why });
      answer(failure(ErrorCode.BadRequest, `invalid ${event} payload: ${why}`));
      return;
    }
    Promise.resolve()
      .then(() => route.run(socket, parsed.data))
      .then(answer, (err: unknown) => {
        if (err instanceof TetherError) {
          answer(err.toFailure());
          return;
        }
        log.error("handler failed", { event, device: device?.id, error: (err as Error)?.message ?? String(err) });
        answer(failure(ErrorCode.Internal, "the relay failed to handle this request") satisfies Failure);
      });
  }
}

// The phone's one connection to the relay, with explicit states. Everything the relay
// pushes is parsed here and handed to the app; nothing thrown by a handler reaches
// socket.io.

import { PROTOCOL_VERSION, serverEventSchemas, type ServerPayloadOf, type ServerToClientEvents } from "#protocol";
import type { z } from "zod/mini";
import { UNREACHABLE_MESSAGE, classifyConnectError, mismatchMessage, type LinkProblem } from "./connectError";
import type { TetherSocket } from "./request";

/**
 * socket.io-client, fetched apart from the app: the first screen (the hosts from IndexedDB, or
 * pairing) paints without it, and the phone asks for it as soon as the app starts.
 */
let client: Promise<typeof import("socket.io-client")> | undefined;
function loadClient(): Promise<typeof import("socket.io-client")> {
  client ??= import("socket.io-client").catch((error: unknown) => {
    // Offline with an old cache: the next attempt asks again.
    client = undefined;
    throw error;
  });
  return client;
}

/** Starts fetching the socket client while the app reads its storage. */
export function preloadRelayClient(): void {
  void loadClient().catch(() => undefined);
}

export type LinkState = "idle" | "connecting" | "open" | "closed";
export type LinkStatus = "online" | "connecting" | "offline";

export interface LinkHandlers {
  hello(hello: ServerPayloadOf<"hello">): void;
  presence(presence: ServerPayloadOf<"presence">): void;
  record(record: ServerPayloadOf<"record">): void;
  /** A durable thread event, as the relay stored it (those of an `events` batch one by one, in order). */
  event(event: ServerPayloadOf<"event">): void;
  /** An ephemeral thread event (streaming text, command output). */
  live(live: ServerPayloadOf<"live">): void;
  pairResult(result: ServerPayloadOf<"pair:result">): void;
  /** A host no longer pairs with this phone. */
  unpaired(unpaired: ServerPayloadOf<"unpaired">): void;
  /** A host deleted one of its threads. */
  threadDeleted(deleted: ServerPayloadOf<"thread:deleted">): void;
}

/** The relay's events that go straight to a handler, each with the handler it goes to. */
const ROUTES = {
  presence: "presence",
  record: "record",
  event: "event",
  live: "live",
  unpaired: "unpaired",
  "thread:deleted": "threadDeleted",
  "pair:result": "pairResult",
} as const satisfies { [E in keyof ServerToClientEvents]?: keyof LinkHandlers };
type RoutedEvent = keyof typeof ROUTES;

/** Retries after the relay itself refused or dropped us; socket.io retries the rest. */
const RETRY_MS = [2_000, 5_000, 10_000, 30_000, 60_000];

export class LinkClosedError extends Error {
  constructor(readonly problem: LinkProblem | null) {
    super(problem?.message ?? "The connection to the relay was closed.");
    this.name = "LinkClosedError";
  }
}

export class RelayLink {
  state = $state<LinkState>("idle");
  problem = $state.raw<LinkProblem | null>(null);
  /** Whether the socket carries a token; an anonymous socket may only pair. */
  authenticated = $state(false);
  /** From the relay's `hello`; null on an anonymous socket. */
  deviceId = $state<string | null>(null);

  readonly status: LinkStatus = $derived.by(() => {
    if (this.state === "open") return "online";
    if (this.state === "connecting" && this.problem === null) return "connecting";
    return "offline";
  });

  #socket: TetherSocket | null = null;
  #retries = 0;
  /** Bumped by each teardown: a socket client that loads after a newer connect or a close is not used. */
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- pending promises, never rendered
  #waiters = new Set<{ resolve: (socket: TetherSocket) => void; reject: (error: Error) => void }>();

  constructor(
    private readonly handlers: LinkHandlers,
    private readonly url?: string,
  ) {}

  /** The socket while it is open. */
  get socket(): TetherSocket | null {
    return this.state === "open" ? this.#socket : null;
  }

  /** Open, and for a device with a token also greeted: the relay knows who we are. */
  get ready(): boolean {
    return this.state === "open" && (!this.authenticated || this.deviceId !== null);
  }

  /** (Re)connects, replacing any current socket. Without a token the socket is anonymous. */
  connect(token: string | undefined): void {
    // Whoever waits for an open link keeps waiting: the new socket will do.
    this.#teardown(null, false);
    this.state = "connecting";
    this.problem = null;
    this.authenticated = token !== undefined;
    this.deviceId = null;
    const options = {
      // `batches`: this phone reads a host's stored events of one relay turn as one `events` packet.
      auth: token === undefined ? { v: PROTOCOL_VERSION } : { v: PROTOCOL_VERSION, token, batches: true },
      transports: ["websocket", "polling"],
      // A proxy that blocks WebSocket should not keep the phone offline.
      tryAllTransports: true,
      // A new token needs a new connection, not the cached one.
      forceNew: true,
    };
    const attempt = this.#attempt;
    loadClient().then(
      ({ io }) => {
        if (attempt !== this.#attempt) return;
        const socket: TetherSocket = this.url === undefined ? io(options) : io(this.url, options);
        this.#socket = socket;
        this.#listen(socket);
      },
      () => {
        if (attempt !== this.#attempt) return;
        // The client could not be fetched (offline, no cache yet): say so, and try again.
        this.problem = { kind: "unreachable", message: UNREACHABLE_MESSAGE };
        const delay = RETRY_MS[Math.min(this.#retries, RETRY_MS.length - 1)] ?? 60_000;
        this.#retries += 1;
        this.#retryTimer = setTimeout(() => this.connect(token), delay);
      },
    );
  }

  /** Resolves with the socket once it is {@link ready}; rejects if the link closes first. */
  whenReady(signal?: AbortSignal): Promise<TetherSocket> {
    const socket = this.socket;
    if (socket && this.ready) return Promise.resolve(socket);
    if (signal?.aborted) return Promise.reject(new DOMException("aborted", "AbortError"));
    if (this.state === "closed" || this.state === "idle") return Promise.reject(new LinkClosedError(this.problem));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (s: TetherSocket) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(s);
        },
        reject: (e: Error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(e);
        },
      };
      const onAbort = () => {
        this.#waiters.delete(waiter);
        reject(new DOMException("aborted", "AbortError"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.add(waiter);
    });
  }

  /** Idempotent. */
  close(): void {
    this.#teardown(null, true);
    this.state = "closed";
  }

  #listen(socket: TetherSocket): void {
    socket.on("connect", () => {
      if (socket !== this.#socket) return;
      this.#retries = 0;
      this.state = "open";
      this.problem = null;
      // A device with a token is ready only after the relay's hello.
      if (!this.authenticated) this.#resolveWaiters(socket);
    });

    socket.on("connect_error", (error) => {
      if (socket !== this.#socket) return;
      const problem = classifyConnectError(error);
      if (problem.kind === "unreachable") {
        this.state = "connecting";
        this.problem = problem;
        // Refused by the relay for a reason we cannot name (rate limit, a restart in
        // progress): socket.io gives up on these, so try again ourselves, more slowly.
        if (!socket.active) this.#retryLater(socket);
        return;
      }
      this.#fail(problem);
    });

    socket.on("disconnect", (reason) => {
      if (socket !== this.#socket) return;
      this.state = "connecting";
      this.deviceId = null;
      // The relay dropped us on purpose (restart, revoked token): socket.io does not
      // reconnect after that, and the next handshake tells us which it was.
      if (reason === "io server disconnect") this.#retryLater(socket);
    });

    socket.on("hello", (raw) => {
      const hello = serverEventSchemas.hello.safeParse(raw);
      if (!hello.success) return warn("hello");
      if (hello.data.v !== PROTOCOL_VERSION) {
        this.#fail({ kind: "protocol-mismatch", message: mismatchMessage(PROTOCOL_VERSION, hello.data.v) });
        return;
      }
      this.deviceId = hello.data.deviceId;
      guard(() => this.handlers.hello(hello.data));
      this.#resolveWaiters(socket);
    });

    for (const name of Object.keys(ROUTES) as RoutedEvent[]) this.#route(socket, name);

    // A batch is checked whole, then its events go to the same handler as a lone `event`, in order.
    socket.on("events", (raw) => {
      const parsed = serverEventSchemas.events.safeParse(raw);
      if (!parsed.success) return warn("events");
      for (const event of parsed.data) guard(() => this.handlers.event(event));
    });
  }

  /** Parses what the relay sends with `name` by the protocol's table and hands it to its handler. */
  #route<E extends RoutedEvent>(socket: TetherSocket, name: E): void {
    const schema: z.ZodMiniType<ServerPayloadOf<E>> = serverEventSchemas[name];
    const handler = this.handlers[ROUTES[name]] as (payload: ServerPayloadOf<E>) => void;
    // Typed by hand: Socket.IO's own types cannot pick one event's listener off a generic name.
    const on = socket.on.bind(socket) as (event: string, listener: (raw: unknown) => void) => void;
    on(name, (raw) => {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) return warn(name);
      guard(() => handler.call(this.handlers, parsed.data));
    });
  }

  #resolveWaiters(socket: TetherSocket): void {
    for (const waiter of this.#waiters) waiter.resolve(socket);
    this.#waiters.clear();
  }

  #retryLater(socket: TetherSocket): void {
    clearTimeout(this.#retryTimer);
    const delay = RETRY_MS[Math.min(this.#retries, RETRY_MS.length - 1)] ?? 60_000;
    this.#retries += 1;
    this.#retryTimer = setTimeout(() => {
      if (socket === this.#socket && !socket.connected) socket.connect();
    }, delay);
  }

  #fail(problem: LinkProblem): void {
    this.#teardown(problem, true);
    this.problem = problem;
    this.state = "closed";
  }

  #teardown(problem: LinkProblem | null, rejectWaiters: boolean): void {
    clearTimeout(this.#retryTimer);
    this.#attempt += 1;
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      socket.removeAllListeners();
      socket.disconnect();
    }
    if (!rejectWaiters) return;
    for (const waiter of this.#waiters) waiter.reject(new LinkClosedError(problem));
    this.#waiters.clear();
  }
}

function warn(event: string): void {
  // The payload may hold routing metadata only, but keep logs free of it anyway.
  console.warn(`tether: ignored a malformed "${event}" from the relay`);
}

function guard(handler: () => void): void {
  try {
    handler();
  } catch (error) {
    console.error("tether: handler failed", error instanceof Error ? error.name : typeof error);
  }
}

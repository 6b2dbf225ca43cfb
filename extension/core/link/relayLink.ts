// The host's connection to its relay: registration on first use, the authenticated socket,
// explicit states, and requests that always settle (answer, typed failure, or close).

import { EventEmitter } from "node:events";
import { io, type Socket } from "socket.io-client";
import {
  ErrorCode,
  PROTOCOL_VERSION,
  failure,
  helloSchema,
  type Ack,
  type AnswerOf,
  type ClientToServerEvents,
  type ConnectErrorData,
  type Failure,
  type Hello,
  type RequestOf,
  type ServerToClientEvents,
} from "#protocol";
import type { HostIdentity } from "../identity";
import type { Log } from "../log";

export type LinkState = "connecting" | "open" | "closed" | "disposed";
export type HostSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface RelayLinkEvents {
  state: [state: LinkState, detail: string | undefined];
  hello: [hello: Hello];
  /** The link cannot go on (protocol mismatch): the user must act. */
  fatal: [error: Error];
}

const REQUEST_TIMEOUT_MS = 15_000;

export class RelayLink extends EventEmitter<RelayLinkEvents> {
  private socketRef: HostSocket | undefined;
  private current: LinkState = "connecting";
  private readonly pending = new Set<(f: Failure) => void>();
  private registering: Promise<void> | undefined;

  constructor(
    /** The relay's origin, e.g. http://127.0.0.1:8787. */
    readonly relay: string,
    private readonly identity: HostIdentity,
    private readonly log: Log,
  ) {
    super();
  }

  get state(): LinkState {
    return this.current;
  }

  get deviceId(): string {
    const c = this.identity.credentials(this.relay);
    if (!c) throw new Error("the host is not registered with the relay yet");
    return c.deviceId;
  }

  /** The socket, for registering handlers of relay-sent events. */
  get socket(): HostSocket {
    if (!this.socketRef) throw new Error("the relay link is not started");
    return this.socketRef;
  }

  /** Registers with the relay if needed (retrying until it answers), then connects. */
  async start(): Promise<void> {
    if (!this.identity.credentials(this.relay)) await this.register();
    if (this.current === "disposed") return;
    const socket: HostSocket = io(this.relay, {
      auth: { v: PROTOCOL_VERSION, token: this.identity.credentials(this.relay)!.token },
      transports: ["websocket"],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
    });
    this.socketRef = socket;
    socket.on("connect", () => {
      this.refusedDelay = 1_000;
      this.setState("open");
    });
    socket.on("disconnect", (reason) => {
      if (this.current !== "disposed") this.setState(reason === "io client disconnect" ? "closed" : "connecting", reason);
    });
    socket.on("hello", (payload) => {
      const hello = helloSchema.safeParse(payload);
      if (hello.success) this.emit("hello", hello.data);
      else this.log.warn("ignored a malformed hello from the relay");
    });
    socket.on("connect_error", (err: Error & { data?: ConnectErrorData }) => this.onConnectError(err));
  }

  /** Sends a request and resolves with the relay's answer; never rejects. */
  request<E extends keyof ClientToServerEvents>(
    event: E,
    payload: RequestOf<E>,
    timeoutMs = REQUEST_TIMEOUT_MS,
  ): Promise<AnswerOf<E> | Failure> {
    if (this.current === "disposed") return Promise.resolve(failure(ErrorCode.Internal, "the relay link is closed"));
    if (!this.socketRef?.connected) return Promise.resolve(failure(ErrorCode.Timeout, "not connected to the relay"));
    return new Promise((resolve) => {
      const settle = (answer: AnswerOf<E> | Failure): void => {
        this.pending.delete(settle);
        resolve(answer);
      };
      this.pending.add(settle);
      const emit = this.socketRef!.timeout(timeoutMs).emitWithAck as (e: string, p: unknown) => Promise<AnswerOf<E>>;
      emit
        .call(this.socketRef!.timeout(timeoutMs), event, payload)
        .then(settle, () => settle(failure(ErrorCode.Timeout, `the relay did not answer ${event} in time`)));
    });
  }

  dispose(): void {
    if (this.current === "disposed") return;
    this.setState("disposed");
    clearTimeout(this.refusedTimer);
    for (const settle of [...this.pending]) settle(failure(ErrorCode.Internal, "the relay link was closed"));
    this.socketRef?.disconnect();
    this.removeAllListeners();
  }

  private setState(state: LinkState, detail?: string): void {
    if (this.current === state && state !== "connecting") return;
    this.current = state;
    this.emit("state", state, detail);
  }

  private onConnectError(err: Error & { data?: ConnectErrorData }): void {
    const code = err.data?.code;
    if (code === ErrorCode.ProtocolMismatch) {
      this.socketRef?.disconnect();
      this.setState("closed", err.message);
      this.emit("fatal", new Error(err.message));
      return;
    }
    if (code === ErrorCode.Unauthorized) {
      // The relay no longer knows this host (its data was reset): register afresh. Phones
      // paired before cannot reach this host any more and must pair again.
      this.log.warn("the relay does not recognise this host; registering again (paired phones must pair again)");
      this.socketRef?.disconnect();
      void this.reRegister();
      return;
    }
    this.setState("connecting", err.message);
    // A refusal by the relay's handshake (busy, rate-limited, its store down) ends socket.io's
    // own reconnecting: try again after a while, longer each time, until a connection opens.
    const socket = this.socketRef;
    if (socket && !socket.active && this.current !== "disposed") {
      const delay = this.refusedDelay;
      this.refusedDelay = Math.min(this.refusedDelay * 2, 30_000);
      this.log.warn(`the relay refused the connection (${code ?? "no reason"}); trying again in ${Math.round(delay / 1000)} s`);
      clearTimeout(this.refusedTimer);
      this.refusedTimer = setTimeout(() => {
        if (this.current !== "disposed" && !socket.active) socket.connect();
      }, delay);
    }
  }

  private refusedDelay = 1_000;
  private refusedTimer: NodeJS.Timeout | undefined;

  private async reRegister(): Promise<void> {
    await this.identity.forgetPhones(this.relay);
    await this.identity.setCredentials(this.relay, undefined);
    await this.register();
    if (this.current === "disposed" || !this.socketRef) return;
    this.socketRef.auth = { v: PROTOCOL_VERSION, token: this.identity.credentials(this.relay)!.token };
    this.socketRef.connect();
  }

  private register(): Promise<void> {
    this.registering ??= this.registerLoop().finally(() => (this.registering = undefined));
    return this.registering;
  }

  private async registerLoop(): Promise<void> {
    let delay = 500;
    let warned = false;
    while (this.current !== "disposed") {
      const answer = await this.registerOnce();
      if (answer.ok) {
        await this.identity.setCredentials(this.relay, { deviceId: answer.deviceId, token: answer.token });
        this.log.info("registered with the relay", { relay: this.relay });
        return;
      }
      if (answer.code === ErrorCode.ProtocolMismatch) {
        this.emit("fatal", new Error(answer.message));
        this.setState("closed", answer.message);
        return;
      }
      if (!warned) this.log.warn(`waiting for the relay at ${this.relay}: ${answer.message}`);
      warned = true;
      this.setState("connecting", answer.message);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5_000);
    }
  }

  private registerOnce(): Promise<Ack<{ deviceId: string; token: string }>> {
    return new Promise((resolve) => {
      const socket: HostSocket = io(this.relay, {
        auth: { v: PROTOCOL_VERSION },
        transports: ["websocket"],
        reconnection: false,
        timeout: 5_000,
      });
      const done = (a: Ack<{ deviceId: string; token: string }>): void => {
        socket.disconnect();
        resolve(a);
      };
      socket.on("connect_error", (err: Error & { data?: ConnectErrorData }) =>
        done(failure((err.data?.code as ErrorCode | undefined) ?? ErrorCode.Timeout, err.message)),
      );
      socket.on("connect", () => {
        socket
          .timeout(REQUEST_TIMEOUT_MS)
          .emitWithAck("host:register", {})
          .then(done, () => done(failure(ErrorCode.Timeout, "the relay did not answer the registration")));
      });
    });
  }
}

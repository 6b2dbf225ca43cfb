// One pairing attempt, from a link read off a QR code to the host's dashboard.

import { ErrorCode, TetherError, type PairLink } from "#protocol";
import { LinkClosedError, type RelayLink } from "../link/relayLink.svelte";
import { type InboundPairResult, pairJoinAnswerSchema } from "../link/inbound";
import { describePairFailure } from "../link/messages";
import { browserInviteStorage, rememberPairing } from "../push/invite";
import { asFailure, request } from "../link/request";
import {
  PAIR_JOIN_TIMEOUT_MS,
  PAIR_RESULT_TIMEOUT_MS,
  acceptGrant,
  preparePairing,
  type PairingIdentity,
  type PairingOutcome,
  type PreparedPairing,
} from "./pairing";

export type PairingStep =
  | { name: "preparing" }
  /** Waiting for the relay connection. */
  | { name: "connecting" }
  /** Joined: waiting for the person at the computer to compare codes and confirm. */
  | { name: "waiting" }
  | { name: "finishing" }
  | { name: "done" }
  | { name: "failed"; message: string; retry: boolean }
  /** The relay refused this phone's token: pairing data must be forgotten first. */
  | { name: "unauthorized" }
  | { name: "cancelled" };

export interface PairingDeps {
  link: RelayLink;
  identity(): PairingIdentity;
  /** Stores the outcome, reconnects with the new token and shows the host. */
  finish(outcome: PairingOutcome): Promise<void>;
}

export class PairingFlow {
  step = $state.raw<PairingStep>({ name: "preparing" });
  code = $state<string | null>(null);

  #abort = new AbortController();
  #result: ((result: InboundPairResult) => void) | null = null;

  constructor(
    readonly pairLink: PairLink,
    private readonly deps: PairingDeps,
  ) {}

  get active(): boolean {
    return !["done", "cancelled"].includes(this.step.name);
  }

  /** The relay's `pair:result` for the joining socket. */
  receive(result: InboundPairResult): void {
    this.#result?.(result);
  }

  cancel(): void {
    this.#abort.abort();
    this.#result = null;
    this.step = { name: "cancelled" };
  }

  /** Runs (or reruns, after a failure) the attempt. Never throws: failures become steps. */
  async run(): Promise<void> {
    this.#abort.abort();
    const abort = new AbortController();
    this.#abort = abort;
    try {
      await this.#attempt(abort.signal);
    } catch (error) {
      if (abort.signal.aborted) return;
      if (error instanceof LinkClosedError) {
        this.step =
          error.problem?.kind === "unauthorized"
            ? { name: "unauthorized" }
            : { name: "failed", message: error.message, retry: error.problem?.kind !== "protocol-mismatch" };
        return;
      }
      const failure = asFailure(error);
      const retry = failure.code === ErrorCode.Timeout || failure.code === ErrorCode.Internal;
      this.step = { name: "failed", message: describePairFailure(failure), retry };
    }
  }

  async #attempt(signal: AbortSignal): Promise<void> {
    this.step = { name: "preparing" };
    const me = this.deps.identity();
    const prepared = await preparePairing(this.pairLink, me);
    this.code = prepared.code;
    if (signal.aborted) return;

    this.step = { name: "connecting" };
    const socket = await this.deps.link.whenReady(signal);

    // Listen before joining: a host that confirms at once may answer before the ack.
    const outcome = this.#awaitResult();
    try {
      const joined = await request(
        () => socket.timeout(PAIR_JOIN_TIMEOUT_MS).emitWithAck("pair:join", prepared.join),
        pairJoinAnswerSchema,
      );
      if (signal.aborted) return;
      if (!joined.ok) throw new TetherError(joined.code, joined.message);
      if (this.step.name === "connecting") this.step = { name: "waiting" };

      const result = await Promise.race([outcome.promise, aborted(signal)]);
      if (signal.aborted || result === null) return;
      if (!result.ok) throw new TetherError(result.code, result.message);
      await this.#finish(prepared, me, result, signal);
    } finally {
      outcome.dispose();
    }
  }

  #awaitResult(): { promise: Promise<InboundPairResult>; dispose: () => void } {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let listener: ((result: InboundPairResult) => void) | null = null;
    const promise = new Promise<InboundPairResult>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new TetherError(ErrorCode.SlotExpired, "The pairing code expired before the computer confirmed.")),
        PAIR_RESULT_TIMEOUT_MS,
      );
      listener = resolve;
      this.#result = resolve;
    });
    // Whoever stops listening early does not care how it would have ended.
    promise.catch(() => undefined);
    return {
      promise,
      dispose: () => {
        clearTimeout(timer);
        // A rerun may already listen with its own callback.
        if (this.#result === listener) this.#result = null;
      },
    };
  }

  async #finish(
    prepared: PreparedPairing,
    me: PairingIdentity,
    result: Extract<InboundPairResult, { ok: true }>,
    signal: AbortSignal,
  ): Promise<void> {
    this.step = { name: "finishing" };
    const outcome = await acceptGrant(prepared, me, result);
    if (signal.aborted) return;
    // Before finishing, which lands on the host's dashboard: that reads it to invite the
    // person to turn on notifications. A dashboard only shows for a paired host anyway.
    rememberPairing(browserInviteStorage());
    await this.deps.finish(outcome);
    this.step = { name: "done" };
  }
}

/** Resolves with null once `signal` aborts, so a wait can be cut short. */
function aborted(signal: AbortSignal): Promise<null> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(null);
    else signal.addEventListener("abort", () => resolve(null), { once: true });
  });
}

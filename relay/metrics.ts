// The relay's Prometheus metrics, one registry per relay. They count and time; they never carry
// a device, host or thread id, nor anything a device sent: every label comes from a short list
// fixed in this file (an event name, a device kind, a store method, a push result).

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { TetherServer } from "./socket/types";
import type { RelayStore } from "./store/store";

/** Client events that carry a sealed box; anything else a client emits is not counted. */
const SEALED_EVENTS: ReadonlySet<string> = new Set([
  "event:publish",
  "record:put",
  "live:publish",
  "command",
  "rpc",
  "push:send",
]);

/** Store writes that keep a new envelope, by what it is. */
const STORED: Partial<Record<keyof RelayStore, "event" | "record" | "command">> = {
  appendEvent: "event",
  putRecord: "record",
  enqueueCommand: "command",
};

type Via = "socket" | "http";

export class RelayMetrics {
  readonly registry = new Registry();

  readonly envelopes = new Counter({
    name: "tether_envelopes_received_total",
    help: "Sealed envelopes received from devices, by event (rate() gives envelopes per second)",
    labelNames: ["event", "via"] as const,
    registers: [this.registry],
  });

  readonly stored = new Counter({
    name: "tether_envelopes_stored_total",
    help: "Sealed envelopes newly written to the store: thread events, records, and commands for a host's inbox",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });

  readonly commandsDelivered = new Counter({
    name: "tether_commands_delivered_total",
    help: "Commands a host acknowledged, taken out of its inbox",
    registers: [this.registry],
  });

  readonly pushes = new Counter({
    name: "tether_push_total",
    help: "Push notifications handed to a push service, by transport and result (sent, gone, failed)",
    labelNames: ["transport", "result"] as const,
    registers: [this.registry],
  });

  readonly storeSeconds = new Histogram({
    name: "tether_store_seconds",
    help: "Time spent in one store call, by method",
    labelNames: ["op"] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly originRefused = new Counter({
    name: "tether_origin_refused_total",
    help: "Requests refused because a web page of another origin made them",
    labelNames: ["via"] as const,
    registers: [this.registry],
  });

  /** Hosts whose inbox may hold commands: the gauge sums only these, and drops the empty ones. */
  private readonly inboxHosts = new Set<string>();

  /** `processMetrics`: Node's own (CPU, memory, event loop lag), for a relay that serves /metrics. */
  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Gauges read at scrape time: who is connected now (to this relay process: each process is
   * scraped on its own), and how many commands wait in inboxes.
   */
  watch(io: TetherServer, store: RelayStore): void {
    new Gauge({
      name: "tether_connected_devices",
      help: "Devices with at least one open socket, by kind",
      labelNames: ["kind"] as const,
      registers: [this.registry],
      collect() {
        const ids = { host: new Set<string>(), phone: new Set<string>() };
        for (const socket of io.of("/").sockets.values()) {
          const device = socket.data.device;
          if (device) ids[device.kind].add(device.id);
        }
        this.set({ kind: "host" }, ids.host.size);
        this.set({ kind: "phone" }, ids.phone.size);
      },
    });
    new Gauge({
      name: "tether_sockets_open",
      help: "Open sockets, devices' and anonymous ones (a phone pairing, a host registering)",
      registers: [this.registry],
      collect() {
        this.set(io.of("/").sockets.size);
      },
    });
    const inboxHosts = this.inboxHosts;
    new Gauge({
      name: "tether_inbox_commands",
      help: "Commands waiting in hosts' inboxes (of hosts seen since the relay started)",
      registers: [this.registry],
      async collect() {
        let total = 0;
        try {
          const hosts = [...inboxHosts];
          const depths = await Promise.all(hosts.map((hostId) => store.inboxDepth(hostId)));
          for (const [i, depth] of depths.entries()) {
            // An empty inbox only fills through enqueueCommand, which puts its host back.
            if (depth === 0) inboxHosts.delete(hosts[i]!);
            total += depth;
          }
        } catch {
          return; // the store is closing or unreachable: keep the last value
        }
        this.set(total);
      },
    });
  }

  /**
   * Counts a sealed envelope a socket sent, by event name, as it arrives. Called by the relay's
   * one listener for every socket's events (relay/socket/router.ts), so a connection costs no
   * middleware of its own.
   */
  countIncoming(event: unknown): void {
    if (typeof event === "string" && SEALED_EVENTS.has(event)) this.envelopes.inc({ event, via: "socket" });
  }

  /** An envelope that came another way than a socket (a notification's button over HTTP). */
  countEnvelope(event: "command", via: Via): void {
    this.envelopes.inc({ event, via });
  }

  /**
   * The store, with every call timed and the writes that keep an envelope counted. A proxy
   * rather than a wrapper class, so a method added to the store is timed without a change here.
   */
  instrument(store: RelayStore): RelayStore {
    const timed = new Map<string, (...args: unknown[]) => unknown>();
    return new Proxy(store, {
      get: (target, prop) => {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== "function" || typeof prop !== "string") return value;
        let fn = timed.get(prop);
        if (!fn) {
          fn = this.timedCall(target, prop, value as (...args: unknown[]) => unknown);
          timed.set(prop, fn);
        }
        return fn;
      },
    });
  }

  private timedCall(target: RelayStore, op: string, method: (...args: unknown[]) => unknown) {
    // Every store method answers with a Promise; it is timed until it settles (a network
    // round trip for Redis).
    return async (...args: unknown[]): Promise<unknown> => {
      const end = this.storeSeconds.startTimer({ op });
      try {
        const value: unknown = await method.apply(target, args);
        this.afterStoreCall(op, args, value);
        return value;
      } finally {
        end();
      }
    };
  }

  private afterStoreCall(op: string, args: unknown[], result: unknown): void {
    const kind = STORED[op as keyof RelayStore];
    // appendEvent and enqueueCommand say "duplicate" for a retry, which keeps nothing new.
    if (kind && (result === undefined || result === "stored" || result === "alone")) this.stored.inc({ kind });
    if (op === "deleteCommand") this.commandsDelivered.inc();
    if (op === "enqueueCommand") this.inboxHosts.add((args[0] as { hostId: string }).hostId);
    if (op === "pendingCommands") this.inboxHosts.add(args[0] as string);
  }
}

// The Socket.IO event maps, declared once and used by the relay (`Server<…>`), the host and
// the PWA (`Socket<…>`). Requests that need an answer take an ack callback.

import type { z } from "./zod";
import type { Ack } from "./errors";
import type {
  connectErrorDataSchema,
  Box,
  CommandForward,
  CommandRequest,
  LiveForward,
  LivePublish,
  DeviceKind,
  Hello,
  HostPresence,
  PairDecide,
  PairJoin,
  PairLeave,
  PairRequest,
  PairResult,
  PhoneLeft,
  PhonePresence,
  PhoneRevoke,
  PhoneStatus,
  PagePublish,
  Publish,
  RecordPut,
  RpcForward,
  RpcRequest,
  StoredEvent,
  StoredEvents,
  StoredRecord,
  ThreadDelete,
  ThreadDeleted,
  SyncPage,
  SyncRequest,
  Unpaired,
} from "./schemas";
import type { PushSend, PushSubscribe } from "./push";
import type { ShareCreate, ShareRevoke, ShareSync } from "./share";

type Reply<T extends object = object> = (answer: Ack<T>) => void;

/** Events a client (host or phone) sends to the relay. */
export interface ClientToServerEvents {
  /** Anonymous: registers a new host; answers its device id and bearer token. */
  "host:register": (req: Record<string, never>, reply: Reply<{ deviceId: string; token: string }>) => void;
  /** Host: opens a single-use pairing slot valid for five minutes. */
  "pair:open": (req: Record<string, never>, reply: Reply<{ slotId: string; expiresAt: number }>) => void;
  /** Anonymous or phone: asks to pair through a slot. The outcome arrives as `pair:result`. */
  "pair:join": (req: PairJoin, reply: Reply) => void;
  /** Host: accepts (with the sealed grant) or declines a pairing request. */
  "pair:decide": (req: PairDecide, reply: Reply<{ deviceId?: string }>) => void;
  /**
   * Host: revokes one of its phones. The relay unlinks it, cuts its sockets off this host (and
   * disconnects it and refuses its token when no host is left), and drops its push
   * subscription and waiting commands. `not-found` for a phone that is not this host's.
   */
  "phone:revoke": (req: PhoneRevoke, reply: Reply<{ revoked: boolean }>) => void;
  /** Host: its phones with presence and last seen, for the host's list of paired phones. */
  "phones:list": (req: Record<string, never>, reply: Reply<{ phones: PhoneStatus[] }>) => void;
  /** Phone: unpairs itself from one host; `not-found` when it is not paired with it. */
  "pair:leave": (req: PairLeave, reply: Reply<{ revoked: boolean }>) => void;
  /** Phone: a sealed call to one of its hosts, answered with the host's sealed reply. */
  rpc: (req: RpcRequest, reply: Reply<{ box: Box }>) => void;
  /**
   * Phone: a sealed command for a host. Kept in the host's inbox until the host acknowledges
   * it; answered with the host's sealed reply when it is online, or `queued` when it is not.
   */
  command: (req: CommandRequest, reply: Reply<{ queued: boolean; box?: Box }>) => void;
  /** Host: its command listener is ready; the relay sends what waited in the inbox. */
  "inbox:flush": (req: Record<string, never>, reply: Reply) => void;
  /** Host: an ephemeral thread event (streaming text, command output), not stored. */
  "live:publish": (req: LivePublish, reply: Reply) => void;
  /** Host: appends a durable thread event. */
  "event:publish": (req: Publish, reply: Reply) => void;
  /**
   * Host: stores a history page of events it published; `conflict` when it overlaps another
   * page of the thread, `not-found` when the relay does not hold every event it covers.
   */
  "page:publish": (req: PagePublish, reply: Reply) => void;
  /** Host: replaces a latest-wins record. */
  "record:put": (req: RecordPut, reply: Reply) => void;
  /** Host: deletes one of its threads: the relay forgets its events and summary record. */
  "thread:delete": (req: ThreadDelete, reply: Reply) => void;
  /** Phone: what it missed of one host, records first, then events after its cursors. */
  sync: (req: SyncRequest, reply: Reply<SyncPage>) => void;
  /** Host: shares one of its threads read-only; `conflict` when that share id is taken. */
  "share:create": (req: ShareCreate, reply: Reply) => void;
  /** Host: ends a share: its token is refused and its viewers disconnected from now on. */
  "share:revoke": (req: ShareRevoke, reply: Reply<{ revoked: boolean }>) => void;
  /** Viewer: the shared thread's records (its summary, the share's own) and events after `after`. */
  "share:sync": (req: ShareSync, reply: Reply<SyncPage>) => void;
  /** Phone: where to push its notifications (replaces what the relay had for this phone). */
  "push:subscribe": (req: PushSubscribe, reply: Reply) => void;
  /** Phone: no more notifications to this phone. */
  "push:unsubscribe": (req: Record<string, never>, reply: Reply) => void;
  /** Host: a sealed notification for its phones; `sent` counts the phones it went to. */
  "push:send": (req: PushSend, reply: Reply<{ sent: number }>) => void;
}

/** Events the relay sends to a client. */
export interface ServerToClientEvents {
  /** First event on every authenticated connection. */
  hello: (hello: Hello) => void;
  /** A host went online or offline. */
  presence: (presence: HostPresence) => void;
  /** To a host: one of its phones connected or went away. */
  "phone:presence": (presence: PhonePresence) => void;
  /** To a host: one of its phones unpaired itself. */
  "phone:left": (left: PhoneLeft) => void;
  /** To a phone: a host no longer pairs with it; nothing of that host reaches it any more. */
  unpaired: (unpaired: Unpaired) => void;
  /** To a host: a phone asks to pair. */
  "pair:request": (req: PairRequest) => void;
  /** To the joining phone: the pairing's outcome. */
  "pair:result": (result: PairResult) => void;
  /** To a host: a phone's sealed call. */
  rpc: (req: RpcForward, reply: Reply<{ box: Box }>) => void;
  /** To a host: a phone's command; the host acknowledges once it has applied it. */
  command: (req: CommandForward, reply: Reply<{ box: Box }>) => void;
  /** To phones: an ephemeral thread event. */
  live: (event: LiveForward) => void;
  /** To phones: a new durable thread event. */
  event: (event: StoredEvent) => void;
  /**
   * To phones that said `batches` in their handshake: the durable events of one host the relay
   * stored in one turn, in order, instead of one `event` each.
   */
  events: (events: StoredEvents) => void;
  /** To phones: a record changed. */
  record: (record: StoredRecord) => void;
  /** To phones: a host deleted a thread; drop it and what is kept of it. */
  "thread:deleted": (deleted: ThreadDeleted) => void;
}

/** The payload a client sends with `event`. */
export type RequestOf<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];

/** The answer a client gets for `event`, read off its ack callback. */
export type AnswerOf<E extends keyof ClientToServerEvents> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];

/** What a host acknowledges a forwarded call or command with: its sealed reply, or a failure. */
export type HostAnswer = Parameters<Parameters<ServerToClientEvents["command" | "rpc"]>[1]>[0];

export type InterServerEvents = Record<string, never>;

/** What the relay knows about a socket once its handshake passed. */
export interface SocketData {
  device?: { id: string; kind: DeviceKind };
  ip: string;
  /** When the relay accepted the connection (ms); a host's newest socket gets its commands. */
  since?: number;
  /** A phone that reads `events` batches (its handshake said `batches`). */
  batches?: true;
  /** A viewer of a shared thread (its handshake carried a share token the relay holds). */
  viewer?: { hostId: string; threadId: string; shareId: string; verifier: string };
  /** A phone's hosts were told it is online: they are told when it goes. */
  announced?: boolean;
}

/** Error data attached to a refused connection (`connect_error`'s `err.data`). */
export type ConnectErrorData = z.infer<typeof connectErrorDataSchema>;

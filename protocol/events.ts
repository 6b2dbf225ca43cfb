// The Socket.IO event maps, declared once and used by the relay (`Server<…>`), the host and
// the PWA (`Socket<…>`). Requests that need an answer take an ack callback.

import type { z } from "zod";
import type { Ack } from "./errors";
import type {
  connectErrorDataSchema,
  Box,
  DeviceKind,
  Hello,
  HostPresence,
  PairDecide,
  PairJoin,
  PairRequest,
  PairResult,
  Publish,
  RecordPut,
  RpcForward,
  RpcRequest,
  StoredEvent,
  StoredRecord,
  SyncPage,
  SyncRequest,
} from "./schemas";

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
  /** Phone: a sealed call to one of its hosts, answered with the host's sealed reply. */
  rpc: (req: RpcRequest, reply: Reply<{ box: Box }>) => void;
  /** Host: appends a durable thread event. */
  "event:publish": (req: Publish, reply: Reply) => void;
  /** Host: replaces a latest-wins record. */
  "record:put": (req: RecordPut, reply: Reply) => void;
  /** Phone: what it missed of one host, records first, then events after its cursors. */
  sync: (req: SyncRequest, reply: Reply<SyncPage>) => void;
}

/** Events the relay sends to a client. */
export interface ServerToClientEvents {
  /** First event on every authenticated connection. */
  hello: (hello: Hello) => void;
  /** A host went online or offline. */
  presence: (presence: HostPresence) => void;
  /** To a host: a phone asks to pair. */
  "pair:request": (req: PairRequest) => void;
  /** To the joining phone: the pairing's outcome. */
  "pair:result": (result: PairResult) => void;
  /** To a host: a phone's sealed call. */
  rpc: (req: RpcForward, reply: Reply<{ box: Box }>) => void;
  /** To phones: a new durable thread event. */
  event: (event: StoredEvent) => void;
  /** To phones: a record changed. */
  record: (record: StoredRecord) => void;
}

export type InterServerEvents = Record<string, never>;

/** What the relay knows about a socket once its handshake passed. */
export interface SocketData {
  device?: { id: string; kind: DeviceKind };
  ip: string;
}

/** Error data attached to a refused connection (`connect_error`'s `err.data`). */
export type ConnectErrorData = z.infer<typeof connectErrorDataSchema>;

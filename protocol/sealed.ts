// What travels inside the boxes: only the host and its paired phones ever see these.
// Parsed with their schemas after opening, like any other inbound payload.

import { z } from "./zod";
import { agentIdSchema, agentInfoSchema } from "./agents";
import { ErrorCode } from "./errors";
import { gitCallSchemas, gitChangesResultSchema, gitDiffResultSchema, gitDraftResultSchema, gitStateResultSchema } from "./git";
import { threadIdSchema } from "./schemas";
import { policyModeSchema } from "./thread";

/** Largest file slice one `read-file` call returns, in bytes. */
export const MAX_READ_BYTES = 256 * 1024;
/** Largest image a `read-file` call returns whole, to show as an image. */
export const MAX_IMAGE_BYTES = 1024 * 1024;
/** Most entries one `list-dir` call returns. */
export const MAX_DIR_ENTRIES = 5000;
/** Most folders, and most files, one `watch` call names. */
export const MAX_WATCHED = 16;
/** Most file names, and most matching lines, one workspace search answers with. */
export const MAX_SEARCH_RESULTS = 50;
/** Longest search query a phone may send. */
export const MAX_SEARCH_QUERY = 200;

/** The phone's half of the pairing hello, sealed for the host. */
export const pairHelloSchema = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(80)),
});
export type PairHello = z.infer<typeof pairHelloSchema>;

/** Who the host is, as its phones show it. Published as the `profile` record. */
/**
 * What the host found when it checked its model at start: `missing` (none configured; `detail`
 * says what to set), `error` (the model server refused or did not answer; `detail` in plain
 * words, `server` the host it tried) or `ok`. Absent from hosts before the check existed.
 */
export const modelStatusSchema = z.strictObject({
  state: z.enum(["ok", "missing", "error"]),
  detail: z.optional(z.string().check(z.maxLength(400))),
  server: z.optional(z.string().check(z.maxLength(200))),
});
export type ModelStatus = z.infer<typeof modelStatusSchema>;

export const hostProfileSchema = z.strictObject({
  name: z.string().check(z.maxLength(120)),
  workspace: z.string().check(z.maxLength(200)),
  platform: z.string().check(z.maxLength(40)),
  version: z.string().check(z.maxLength(40)),
  /** Models a task may pick (`provider:model`), the host's default first; absent or one: no choice. */
  models: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(120))).check(z.maxLength(50))),
  /**
   * The host's configured mode: the most a task may ask for. Absent from hosts that run no
   * tasks and from hosts before the ceiling was published (they refuse more all the same).
   */
  maxMode: z.optional(policyModeSchema),
  model: z.optional(modelStatusSchema),
  /** The agents a task may run with, Tether's own among them; absent from hosts before there was a choice. */
  agents: z.optional(z.array(agentInfoSchema).check(z.maxLength(40))),
  /** The agent a task runs with when it names none. */
  defaultAgent: z.optional(agentIdSchema),
  /**
   * The workspace is a git repository, so a task may run in a worktree of its own; `default`:
   * it does unless the person says otherwise. Absent: no worktrees (not a repository, or an
   * older host).
   */
  worktrees: z.optional(z.strictObject({ default: z.boolean() })),
});
export type HostProfile = z.infer<typeof hostProfileSchema>;

/** A host content key of one epoch: AES-256-GCM, raw, base64url. */
export const epochKeySchema = z.strictObject({
  epoch: z.int().check(z.gte(1), z.lte(1_000_000)),
  key: z.string().check(z.maxLength(64)),
});
export type EpochKey = z.infer<typeof epochKeySchema>;

/** The host's half of pairing, sealed for the phone: the content key and who the host is. */
export const pairGrantSchema = z.strictObject({
  hostId: z.string(),
  /** AES-256-GCM content key, raw, base64url. */
  key: z.string(),
  epoch: z.int().check(z.gte(1)),
  profile: hostProfileSchema,
  /** The keys of earlier epochs, so a phone paired after a rotation can read older history. */
  older: z.optional(z.array(epochKeySchema).check(z.maxLength(10_000))),
});
export type PairGrant = z.infer<typeof pairGrantSchema>;

/** The record key the host publishes its project hooks' state under (protocol/hooks.ts). */
export const HOOKS_RECORD_KEY = "hooks";

/** Latest-wins record key of one phone's rekey message. */
export const REKEY_RECORD_PREFIX = "k-";
export const rekeyRecordKey = (phoneId: string): string => `${REKEY_RECORD_PREFIX}${phoneId}`;

/**
 * After the host revoked a phone and rotated its content key: every key epoch it has, the
 * newest last, sealed for one remaining phone under their pairwise key (`KeyPurpose.Rekey`,
 * `sealContext.rekey`). Published as that phone's `k-<phoneId>` record.
 */
export const rekeySchema = z.strictObject({
  hostId: z.string(),
  phoneId: z.string(),
  keys: z.array(epochKeySchema).check(z.minLength(1), z.maxLength(10_000)),
});
export type Rekey = z.infer<typeof rekeySchema>;

/** A workspace-relative path with `/` separators; `""` is the workspace root. */
const relPath = z.string().check(z.maxLength(4096));

/**
 * A thread that runs in a worktree of its own: list-dir, read-file and search read its worktree
 * instead of the workspace. Ignored for a thread without one.
 */
const inThread = { threadId: z.optional(threadIdSchema) };

export const rpcCallSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("list-dir"), path: relPath, ...inThread }),
  z.strictObject({
    type: z.literal("read-file"),
    path: relPath,
    ...inThread,
    offset: z.optional(z.int().check(z.gte(0))),
    length: z.optional(z.int().check(z.gte(1), z.lte(MAX_READ_BYTES))),
  }),
  /**
   * What the phone shows now: folders and files whose changes the host sends as `mirror-delta`
   * live events until the lease runs out. Each call replaces the phone's earlier one; an empty
   * call ends it.
   */
  z.strictObject({
    type: z.literal("watch"),
    dirs: z.array(relPath).check(z.maxLength(MAX_WATCHED)),
    files: z.array(relPath).check(z.maxLength(MAX_WATCHED)),
  }),
  /**
   * Files whose name holds `query`, and lines that hold it, across the workspace the phone may
   * see (the mirror's rules). Plain text, not case-sensitive; at most `MAX_SEARCH_RESULTS` of each.
   */
  z.strictObject({
    type: z.literal("search"),
    query: z.string().check(z.minLength(1), z.maxLength(MAX_SEARCH_QUERY)),
    ...inThread,
  }),
  /** An outside agent's own sessions in this workspace (ACP `session/list`), to continue one started on the computer. */
  z.strictObject({ type: z.literal("agent-sessions"), agent: agentIdSchema }),
  ...gitCallSchemas,
]);
export type RpcCall = z.infer<typeof rpcCallSchema>;

/**
 * Git's view of a path, compared with the last commit: `M` modified, `A` added, `D` deleted,
 * `R` renamed, `?` untracked, `U` conflicted. A folder carries a mark when something inside it
 * changed: the kind they share, `U` when any conflicts, else `M`.
 */
export const gitMarkSchema = z.enum(["M", "A", "D", "R", "?", "U"]);
export type GitMark = z.infer<typeof gitMarkSchema>;

export const dirEntrySchema = z.object({
  name: z.string(),
  kind: z.enum(["file", "dir", "symlink", "other"]),
  size: z.number(),
  mtime: z.number(),
  /** Absent when git sees nothing to show, outside a repository, and from hosts before marks. */
  git: z.optional(gitMarkSchema),
});
export type DirEntry = z.infer<typeof dirEntrySchema>;

export const listDirResultSchema = z.strictObject({
  type: z.literal("list-dir"),
  path: z.string(),
  entries: z.array(dirEntrySchema),
  /** Entries hidden by ignore rules or the secret deny list. */
  hidden: z.int(),
  truncated: z.boolean(),
});
export type ListDirResult = z.infer<typeof listDirResultSchema>;

export const readFileResultSchema = z.strictObject({
  type: z.literal("read-file"),
  path: z.string(),
  size: z.int(),
  mtime: z.number(),
  offset: z.int(),
  /** `text`: UTF-8 in `content`. `image`: base64url bytes in `content`. `binary`: no content. */
  kind: z.enum(["text", "image", "binary"]),
  mime: z.string(),
  content: z.string(),
  /** True when the slice reaches the end of the file. */
  eof: z.boolean(),
});
export type ReadFileResult = z.infer<typeof readFileResultSchema>;

export const watchResultSchema = z.strictObject({
  type: z.literal("watch"),
  /** Renew before this many milliseconds pass, or the host stops watching for this phone. */
  leaseMs: z.int().check(z.gte(1)),
});
export type WatchResult = z.infer<typeof watchResultSchema>;

export const workspaceSearchResultSchema = z.strictObject({
  type: z.literal("search"),
  query: z.string(),
  /** Files whose name (or, for a query with a `/`, whose path) holds the query, shallowest first. */
  files: z.array(z.strictObject({ path: z.string() })).check(z.maxLength(MAX_SEARCH_RESULTS)),
  /** Lines that hold the query, in path order; `text` is the line trimmed, cut around the match. */
  matches: z
    .array(z.strictObject({ path: z.string(), line: z.int().check(z.gte(1)), text: z.string() }))
    .check(z.maxLength(MAX_SEARCH_RESULTS)),
  /** More was found (or more was left to look through) than the answer holds. */
  capped: z.boolean(),
});
export type WorkspaceSearchResult = z.infer<typeof workspaceSearchResultSchema>;

/** Most sessions an `agent-sessions` answer lists, newest first. */
export const MAX_AGENT_SESSIONS = 50;

export const agentSessionsResultSchema = z.strictObject({
  type: z.literal("agent-sessions"),
  agent: agentIdSchema,
  /** The agent can list its sessions; when false, `sessions` is empty and the phone says so. */
  listed: z.boolean(),
  sessions: z
    .array(
      z.strictObject({
        sessionId: z.string().check(z.maxLength(200)),
        title: z.optional(z.string().check(z.maxLength(300))),
        /** Epoch milliseconds, when the agent says. */
        updatedAt: z.optional(z.number()),
      }),
    )
    .check(z.maxLength(MAX_AGENT_SESSIONS)),
});
export type AgentSessionsResult = z.infer<typeof agentSessionsResultSchema>;

export const rpcResultSchema = z.discriminatedUnion("type", [
  listDirResultSchema,
  readFileResultSchema,
  watchResultSchema,
  workspaceSearchResultSchema,
  agentSessionsResultSchema,
  gitStateResultSchema,
  gitChangesResultSchema,
  gitDiffResultSchema,
  gitDraftResultSchema,
]);
export type RpcResult = z.infer<typeof rpcResultSchema>;

const errorCodeSchema = z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]);

/** The host's sealed answer to a call. */
export const rpcReplySchema = z.union([
  z.strictObject({ ok: z.literal(true), result: rpcResultSchema }),
  z.strictObject({ ok: z.literal(false), code: errorCodeSchema, message: z.string() }),
]);
export type RpcReply = z.infer<typeof rpcReplySchema>;

/**
 * Changes in watched folders and files, published by the host as a live event on the
 * `MIRROR_LIVE_ID` channel (`sealContext.mirror`). Every phone of the host receives it; each
 * applies what it is showing. Entries carry the same rules and fields as a listing's.
 */
export const mirrorDeltaSchema = z.strictObject({
  type: z.literal("mirror-delta"),
  dirs: z.array(
    z.strictObject({
      path: z.string(),
      /** Entries added or changed (size, mtime, kind or git mark). */
      entries: z.array(dirEntrySchema),
      /** Names no longer in the folder (deleted, or now hidden by the rules). */
      removed: z.array(z.string()),
      hidden: z.int(),
      /** The folder itself is gone or can no longer be listed. */
      gone: z.optional(z.boolean()),
    }),
  ),
  files: z.array(
    z.strictObject({
      path: z.string(),
      size: z.number(),
      mtime: z.number(),
      gone: z.optional(z.boolean()),
    }),
  ),
});
export type MirrorDelta = z.infer<typeof mirrorDeltaSchema>;

/** The live "thread id" of mirror deltas: never a real thread's (those are never empty). */
export const MIRROR_LIVE_ID = "";

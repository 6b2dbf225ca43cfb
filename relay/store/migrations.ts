// The SQLite schema as numbered migrations: entry i takes `PRAGMA user_version` from i to
// i + 1. Append only; never edit a migration that has shipped, an older data folder runs it.

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('host', 'phone')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE TABLE links (
    phone_id TEXT NOT NULL,
    host_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (phone_id, host_id)
  ) WITHOUT ROWID;
  CREATE INDEX links_by_host ON links (host_id);
  CREATE TABLE slots (
    id TEXT PRIMARY KEY,
    host_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    joined_by TEXT,
    joined_device TEXT,
    closed_at INTEGER
  );
  CREATE INDEX slots_by_host ON slots (host_id, created_at);
  CREATE TABLE events (
    host_id TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    iv TEXT NOT NULL,
    ct TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (host_id, thread_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE records (
    host_id TEXT NOT NULL,
    key TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    iv TEXT NOT NULL,
    ct TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (host_id, key)
  ) WITHOUT ROWID;
  `,
  `
  CREATE TABLE inbox (
    n INTEGER PRIMARY KEY AUTOINCREMENT,
    host_id TEXT NOT NULL,
    id TEXT NOT NULL,
    from_id TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    iv TEXT NOT NULL,
    ct TEXT NOT NULL,
    at INTEGER NOT NULL,
    UNIQUE (host_id, id)
  );
  `,
  // 3: push notifications. One subscription per phone (a new one replaces it); the target
  // and muted hosts are JSON because only the relay reads them, whole. `meta` keeps the
  // relay's own small settings, such as its VAPID key pair.
  `
  CREATE TABLE push_subscriptions (
    device_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('webpush', 'fcm')),
    target TEXT NOT NULL,
    muted TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 4: retention. Events by age per host (the sweep deletes the oldest first), each host's
  // sealed bytes (its quota), and per thread the first seq kept once earlier ones were trimmed.
  `
  CREATE INDEX events_by_age ON events (host_id, at);
  CREATE TABLE usage (
    host_id TEXT PRIMARY KEY,
    bytes INTEGER NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO usage (host_id, bytes) SELECT host_id, SUM(length(iv) + length(ct)) FROM events GROUP BY host_id;
  CREATE TABLE trims (
    host_id TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    before_seq INTEGER NOT NULL,
    PRIMARY KEY (host_id, thread_id)
  ) WITHOUT ROWID;
  `,
  // 5: events in an ordinary (rowid) table. A sealed event is about 1.4 KB, more than a
  // WITHOUT ROWID table keeps in its 4 KB page, so each one spilled into an overflow page and an
  // insert cost about twice the CPU (the throughput bench's "SQLite alone"). The primary key
  // still orders and deduplicates a thread's events; the age index now points at the rowid.
  `
  CREATE TABLE events_v5 (
    host_id TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    iv TEXT NOT NULL,
    ct TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (host_id, thread_id, seq)
  );
  INSERT INTO events_v5 (host_id, thread_id, seq, epoch, iv, ct, at)
    SELECT host_id, thread_id, seq, epoch, iv, ct, at FROM events ORDER BY host_id, thread_id, seq;
  DROP TABLE events;
  ALTER TABLE events_v5 RENAME TO events;
  CREATE INDEX events_by_age ON events (host_id, at);
  `,
  // 6: history pages (a thread's events from..to in one box), beside the events they repeat.
  // Pages of a thread never overlap; the key finds the page holding a seq.
  `
  CREATE TABLE pages (
    host_id TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    from_seq INTEGER NOT NULL,
    to_seq INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    iv TEXT NOT NULL,
    ct TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (host_id, thread_id, from_seq)
  );
  `,
  // 7: read-only shares of one thread. The relay keeps the SHA-256 of the viewer's token, bound
  // to the host and thread; the share's keys travel in its sealed record (`s-<shareId>`).
  `
  CREATE TABLE shares (
    host_id TEXT NOT NULL,
    share_id TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    verifier TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (host_id, share_id)
  ) WITHOUT ROWID;
  `,
];

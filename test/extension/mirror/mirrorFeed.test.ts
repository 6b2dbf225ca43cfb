import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MirrorDelta } from "#protocol";
import { Mirror } from "../../../extension/core/mirror/mirror";
import { MirrorFeed } from "../../../extension/core/mirror/mirrorFeed";
import { nodeFileSystem } from "../../../extension/node/nodeFileSystem";
import { createNodeGitStatus } from "../../../extension/node/nodeGitStatus";
import { makeWorkspace } from "../../support/workspace";
import { quietFor, until as waitUntil } from "../../support/wait";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface FeedTestOptions {
  leaseMs?: number;
  git?: boolean;
  debounceMs?: number;
  maxDelayMs?: number;
}

/** A feed on a real folder with its real watcher, collecting what it publishes. */
async function feedOn(root: string, options: FeedTestOptions = {}) {
  const mirror = await Mirror.open({
    fs: nodeFileSystem,
    root,
    ...(options.git ? { gitStatus: createNodeGitStatus(root, { ttlMs: 200 }) } : {}),
  });
  const deltas: MirrorDelta[] = [];
  const feed = new MirrorFeed({
    mirror,
    publish: (delta) => deltas.push(delta),
    gitRecheckMs: 300,
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    ...(options.debounceMs ? { debounceMs: options.debounceMs } : {}),
    ...(options.maxDelayMs ? { maxDelayMs: options.maxDelayMs } : {}),
  });
  /** Everything said about one folder since the start, flattened. */
  const about = (dir: string) => {
    const items = deltas.flatMap((d) => d.dirs.filter((x) => x.path === dir));
    return {
      added: items.flatMap((x) => x.entries.map((e) => e.name)),
      removed: items.flatMap((x) => x.removed),
      gone: items.some((x) => x.gone),
      entries: items.flatMap((x) => x.entries),
    };
  };
  /** Waits for `check`; a timeout tells the deltas that did arrive. */
  const until = (check: () => boolean, ms = 5000): Promise<unknown> =>
    waitUntil("the mirror's deltas", check, ms).catch((err: Error) => {
      throw new Error(`${err.message}; deltas: ${JSON.stringify(deltas)}`);
    });
  return { mirror, feed, deltas, about, until };
}

describe("mirror feed (watching what phones show)", () => {
  const roots: string[] = [];
  const feeds: MirrorFeed[] = [];
  const make = (files: Record<string, string>): string => {
    const root = makeWorkspace(files);
    roots.push(root);
    return root;
  };
  const start = async (root: string, options?: FeedTestOptions) => {
    const made = await feedOn(root, options);
    feeds.push(made.feed);
    return made;
  };

  after(() => {
    for (const feed of feeds) feed.close();
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  it("sends added, changed and removed entries, and never an ignored or secret file", async () => {
    const root = make({ ".gitignore": "*.log\nbuild/\n", "src/a.ts": "a\n", "src/old.ts": "old\n" });
    const outside = mkdtempSync(join(tmpdir(), "tether-outside-"));
    roots.push(outside);
    const { feed, about, until, deltas } = await start(root);
    await feed.watch("phone-1", ["src"], []);

    writeFileSync(join(root, "src/new.ts"), "new\n");
    writeFileSync(join(root, "src/a.ts"), "a changed\n");
    unlinkSync(join(root, "src/old.ts"));
    writeFileSync(join(root, "src/debug.log"), "noise\n");
    writeFileSync(join(root, "src/.env"), "API_KEY=sk-live-123\n");
    writeFileSync(join(root, "src/server.pem"), "-----BEGIN PRIVATE KEY-----\n");
    mkdirSync(join(root, "src/build"));
    symlinkSync(outside, join(root, "src/out"));
    await until(() => about("src").added.includes("new.ts") && about("src").removed.includes("old.ts"));
    await until(() => about("src").added.includes("a.ts") && about("src").added.includes("out"));
    const hidden = ["debug.log", ".env", "server.pem", "build"];
    await quietFor("a hidden file in the deltas", 200, () => hidden.some((name) => about("src").added.includes(name)));

    const seen = about("src");
    assert.ok(!JSON.stringify(deltas).includes("sk-live"));
    const a = seen.entries.filter((e) => e.name === "a.ts").at(-1)!;
    assert.equal(a.size, "a changed\n".length);
    // A link out of the workspace shows as a link, never as what it points at.
    const out = seen.entries.find((e) => e.name === "out")!;
    assert.deepEqual([out.kind, out.size], ["symlink", 0]);
    assert.ok(seen.entries.every((e) => typeof e.mtime === "number" && e.kind));
  });

  it("coalesces a burst of writes into a delta or two", async () => {
    const root = make({ "docs/readme.md": "hi\n" });
    // A quiet time no pause of a busy test machine between two writes reaches: one burst, the
    // first write sent at once and the rest together when it ends.
    const { feed, deltas, about, until } = await start(root, { debounceMs: 300, maxDelayMs: 5000 });
    await feed.watch("phone-1", ["docs"], []);
    for (let i = 0; i < 40; i++) {
      writeFileSync(join(root, `docs/page-${i % 10}.md`), `save ${i}\n`);
      await sleep(1); // paces the writes, as an editor saving in a burst does
    }
    await until(() => new Set(about("docs").added).size === 10);
    await quietFor("a fourth delta for one burst", 300, () => deltas.length > 3);
  });

  it("sends a save at once, and holds the saves right after it until the burst ends", async () => {
    const root = make({ "docs/readme.md": "hi\n" });
    // A quiet time longer than the wait for the first save: a save that waited for it would not show.
    const { feed, deltas, about, until } = await start(root, { debounceMs: 2000, maxDelayMs: 60_000 });
    await feed.watch("phone-1", ["docs"], []);
    await sleep(2100);
    writeFileSync(join(root, "docs/first.md"), "first\n");
    await until(() => about("docs").added.includes("first.md"), 1500);
    const sent = deltas.length;
    writeFileSync(join(root, "docs/second.md"), "second\n");
    writeFileSync(join(root, "docs/third.md"), "third\n");
    // The saves that follow are one burst: nothing goes until it has been quiet for a while.
    await quietFor("a save in a burst sent before the burst ended", 400, () => deltas.length > sent);
  });

  it("says so when a watched folder is removed, and drops it from its parent", async () => {
    const root = make({ "pkg/lib/a.ts": "a\n", "pkg/index.ts": "i\n" });
    const { feed, about, until } = await start(root);
    await feed.watch("phone-1", ["pkg", "pkg/lib"], []);
    rmSync(join(root, "pkg/lib"), { recursive: true });
    await until(() => about("pkg/lib").gone && about("pkg").removed.includes("lib"));
  });

  it("follows an open file: a save sends its new size, a delete says it is gone", async () => {
    const root = make({ "notes/todo.md": "one\n", "notes/other.md": "x\n" });
    const { feed, deltas, until } = await start(root);
    await feed.watch("phone-1", [], ["notes/todo.md"]);
    const files = () => deltas.flatMap((d) => d.files);
    writeFileSync(join(root, "notes/todo.md"), "one\ntwo\n");
    await until(() => files().some((f) => f.path === "notes/todo.md" && f.size === 8));
    writeFileSync(join(root, "notes/other.md"), "not followed\n");
    unlinkSync(join(root, "notes/todo.md"));
    await until(() => files().some((f) => f.gone));
    assert.ok(files().every((f) => f.path === "notes/todo.md"));
    // A phone that follows only a file gets no listing deltas for its folder.
    assert.ok(deltas.every((d) => d.dirs.length === 0));
  });

  it("stops watching when the lease runs out or the phone watches nothing", async () => {
    const root = make({ "a/x.ts": "x\n", "b/y.ts": "y\n" });
    const { feed, until } = await start(root, { leaseMs: 400 });
    await feed.watch("phone-1", ["a"], []);
    await feed.watch("phone-2", ["b"], []);
    assert.equal(feed.watchedFolders, 2);
    await feed.watch("phone-2", [], []);
    assert.equal(feed.watchedFolders, 1);
    await until(() => feed.watchedFolders === 0, 2000);
  });

  it("sends git's marks after a listing that went without them", async function () {
    const root = make({ "src/a.ts": "a\n" });
    execFileSync("git", ["init", "-q"], { cwd: root });
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "init"], {
      cwd: root,
    });
    const { feed, about, until } = await start(root, { git: true });
    await feed.watch("phone-1", ["src"], []);
    // Nothing committed: git calls the file untracked, which the first listing may not know yet.
    await until(() => about("src").entries.some((e) => e.name === "a.ts" && e.git === "?"));
    writeFileSync(join(root, "src/b.ts"), "b\n");
    await until(() => about("src").entries.some((e) => e.name === "b.ts" && e.git === "?"));
  });

  it("sends git's new marks when a run someone else started ends, with no change in the folder", async () => {
    const root = make({ "src/a.ts": "a\n" });
    execFileSync("git", ["init", "-q"], { cwd: root });
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "init"], {
      cwd: root,
    });
    const { mirror, feed, about, until } = await start(root, { git: true });
    await feed.watch("phone-1", ["src"], []);
    await until(() => about("src").entries.some((e) => e.name === "a.ts" && e.git === "?"));
    // Only .git/ changes: the watched folder sees no event.
    execFileSync("git", ["add", "src/a.ts"], { cwd: root });
    await sleep(250);
    // A listing elsewhere starts a status run and does not wait for it (as a phone's listing does).
    await mirror.listDir("", { gitWaitMs: 0 });
    await until(() => about("src").entries.some((e) => e.name === "a.ts" && e.git === "A"));
  });
});

import assert from "node:assert/strict";
import { chmodSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { branchState, commit, push } from "../../../extension/core/git/ship";
import { classifyPushError } from "../../../extension/core/git/shipPushErrors";
import { isolateGit, makeRepo, sh, write, type Fixture } from "./shipRepo";

describe("git ship: commit, push and branch state", () => {
  let restore: () => void;
  let fx: Fixture;
  before(() => (restore = isolateGit()));
  after(() => restore());
  beforeEach(() => (fx = makeRepo({ withOrigin: true })));
  afterEach(() => fx.cleanup());

  it("commits what is staged with the repository's author and returns hash and summary", async () => {
    write(fx.repo, "a.txt", "a\n");
    write(fx.repo, "b.txt", "left out\n");
    sh(fx.repo, "add", "a.txt");
    const result = await commit(fx.repo, "Add a\n\nWith a body line.\n");
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.summary, "Add a");
    assert.equal(result.hash, sh(fx.repo, "rev-parse", "HEAD").trim());
    assert.equal(
      sh(fx.repo, "log", "-1", "--format=%an <%ae>|%B").trim(),
      "Ada Test <ada@example.test>|Add a\n\nWith a body line.",
    );
    assert.equal(sh(fx.repo, "show", "--name-only", "--format=", "HEAD").trim(), "a.txt");
  });

  it("keeps a message that starts with a dash as text", async () => {
    write(fx.repo, "a.txt", "a\n");
    sh(fx.repo, "add", "a.txt");
    const result = await commit(fx.repo, "--amend");
    assert.ok(result.ok);
    assert.equal(sh(fx.repo, "rev-list", "--count", "HEAD").trim(), "2");
    assert.equal(result.summary, "--amend");
  });

  it("refuses an empty message and an empty index, and reports a failing hook in git's words", async () => {
    const before = sh(fx.repo, "rev-parse", "HEAD");
    write(fx.repo, "a.txt", "a\n");
    assert.deepEqual(await commit(fx.repo, "  \n"), {
      ok: false,
      code: "empty-message",
      message: "Write a commit message first.",
    });
    const none = await commit(fx.repo, "Nothing");
    assert.equal(none.ok ? "ok" : none.code, "nothing-staged");
    sh(fx.repo, "add", "a.txt");
    write(fx.repo, ".git/hooks/pre-commit", "#!/bin/sh\necho 'lint says no' >&2\nexit 1\n");
    chmodSync(join(fx.repo, ".git/hooks/pre-commit"), 0o755);
    const hooked = await commit(fx.repo, "Blocked");
    assert.equal(hooked.ok ? "ok" : hooked.code, "git-failed");
    assert.match(hooked.ok ? "" : hooked.message, /lint says no/);
    assert.equal(sh(fx.repo, "rev-parse", "HEAD"), before);
  });

  it("makes the first commit of a new repository and signs as the repository's config says", async () => {
    const fresh = makeRepo({ commit: false });
    try {
      assert.deepEqual(await branchState(fresh.repo), { branch: "main", ahead: 0, behind: 0, uncommitted: 0 });
      write(fresh.repo, "a.txt", "a\n");
      sh(fresh.repo, "add", "a.txt");
      const first = await commit(fresh.repo, "Start");
      assert.ok(first.ok, JSON.stringify(first));
      assert.equal((await branchState(fresh.repo)).head, first.hash);

      // Signing required by the repository, with a signer that fails: git's own words come back.
      sh(fresh.repo, "config", "commit.gpgsign", "true");
      sh(fresh.repo, "config", "gpg.program", "false");
      write(fresh.repo, "b.txt", "b\n");
      sh(fresh.repo, "add", "b.txt");
      const unsigned = await commit(fresh.repo, "Needs a signature");
      assert.equal(unsigned.ok ? "ok" : unsigned.code, "git-failed");
      assert.match(unsigned.ok ? "" : unsigned.message, /gpg failed to sign/);
      assert.equal(sh(fresh.repo, "rev-list", "--count", "HEAD").trim(), "1");
    } finally {
      fresh.cleanup();
    }
  });

  it("concludes a merge whose resolution left nothing to stage", async () => {
    sh(fx.repo, "checkout", "-q", "-b", "other");
    write(fx.repo, "readme.md", "theirs\n");
    sh(fx.repo, "commit", "-q", "-am", "theirs");
    sh(fx.repo, "checkout", "-q", "main");
    write(fx.repo, "readme.md", "ours\n");
    sh(fx.repo, "commit", "-q", "-am", "ours");
    assert.throws(() => sh(fx.repo, "merge", "-q", "other"));
    write(fx.repo, "readme.md", "ours\n");
    sh(fx.repo, "add", "readme.md");
    const merged = await commit(fx.repo, "Merge other, keeping ours");
    assert.ok(merged.ok, JSON.stringify(merged));
    assert.equal(sh(fx.repo, "rev-list", "--parents", "-n", "1", "HEAD").trim().split(" ").length, 3);
  });

  it("asks before setting an upstream, sets one on origin, then pushes to it", async () => {
    const first = await push(fx.repo);
    assert.equal(first.ok ? "ok" : first.code, "no-upstream");

    const set = await push(fx.repo, { setUpstream: true });
    assert.ok(set.ok, JSON.stringify(set));
    assert.equal(set.upstream, "origin/main");
    assert.equal(sh(fx.origin, "rev-parse", "main"), sh(fx.repo, "rev-parse", "HEAD"));
    assert.equal(sh(fx.repo, "rev-parse", "--abbrev-ref", "@{u}").trim(), "origin/main");

    write(fx.repo, "more.txt", "more\n");
    sh(fx.repo, "add", "-A");
    sh(fx.repo, "commit", "-q", "-m", "more");
    assert.deepEqual(await branchState(fx.repo), {
      branch: "main",
      upstream: "origin/main",
      ahead: 1,
      behind: 0,
      uncommitted: 0,
      head: sh(fx.repo, "rev-parse", "HEAD").trim(),
    });
    const live: string[] = [];
    const again = await push(fx.repo, { onProgress: (line) => live.push(line) });
    assert.ok(again.ok, JSON.stringify(again));
    assert.ok(
      live.some((line) => line.includes("main -> main")),
      live.join("\n"),
    );
    assert.ok(
      again.progress.some((line) => line.includes("main -> main")),
      again.progress.join("\n"),
    );
    assert.equal(sh(fx.origin, "rev-parse", "main"), sh(fx.repo, "rev-parse", "HEAD"));
    assert.equal((await branchState(fx.repo)).ahead, 0);
  });

  it("classifies a rejected push when origin moved on, keeps git's text and never forces", async () => {
    await push(fx.repo, { setUpstream: true });
    const other = join(fx.root, "other");
    sh(fx.root, "clone", "-q", fx.origin, other);
    write(other, "theirs.txt", "theirs\n");
    sh(other, "add", "-A");
    sh(other, "commit", "-q", "-m", "theirs");
    sh(other, "push", "-q", "origin", "main");
    const theirs = sh(fx.origin, "rev-parse", "main");

    write(fx.repo, "mine.txt", "mine\n");
    write(fx.repo, "loose.txt", "loose\n");
    sh(fx.repo, "add", "mine.txt");
    sh(fx.repo, "commit", "-q", "-m", "mine");
    const rejected = await push(fx.repo);
    assert.equal(rejected.ok ? "ok" : rejected.code, "rejected");
    assert.match(rejected.ok ? "" : rejected.message, /\[rejected\]\s+main -> main/);
    assert.equal(sh(fx.origin, "rev-parse", "main"), theirs);

    sh(fx.repo, "fetch", "-q");
    const state = await branchState(fx.repo);
    assert.deepEqual([state.ahead, state.behind, state.uncommitted], [1, 1, 1]);
  });

  it("reports a missing origin and a missing remote repository", async () => {
    const lonely = makeRepo();
    try {
      const result = await push(lonely.repo, { setUpstream: true });
      assert.equal(result.ok ? "ok" : result.code, "no-remote");
      assert.deepEqual(await branchState(lonely.repo), {
        branch: "main",
        ahead: 0,
        behind: 0,
        uncommitted: 0,
        head: sh(lonely.repo, "rev-parse", "HEAD").trim(),
      });
    } finally {
      lonely.cleanup();
    }
    sh(fx.repo, "remote", "set-url", "origin", join(fx.root, "nowhere.git"));
    const gone = await push(fx.repo, { setUpstream: true });
    assert.equal(gone.ok ? "ok" : gone.code, "no-remote");
    assert.match(gone.ok ? "" : gone.message, /does not appear to be a git repository/);
  });

  it("reports an authentication failure from an https remote that asks for credentials", async () => {
    // A server that answers every request with 401, as a forge does for a missing or wrong token.
    const server = createServer((_req, res) => {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="forge"' }).end("Unauthorized");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      sh(fx.repo, "remote", "set-url", "origin", `http://127.0.0.1:${port}/ada/tether.git`);
      const result = await push(fx.repo, { setUpstream: true });
      assert.equal(result.ok ? "ok" : result.code, "authentication", JSON.stringify(result));
      assert.match(result.ok ? "" : result.message, /127\.0\.0\.1/);
      // A failed push leaves no upstream behind.
      assert.throws(() => sh(fx.repo, "config", "--get", "branch.main.remote"));
    } finally {
      server.close();
    }
  });

  it("sorts git's error texts into the kinds a person can act on", () => {
    const cases: [string, string][] = [
      ["fatal: Authentication failed for 'https://github.com/o/r.git/'", "authentication"],
      ["fatal: could not read Username for 'https://github.com': terminal prompts disabled", "authentication"],
      ["git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.", "authentication"],
      ["fatal: The current branch topic has no upstream branch.", "no-upstream"],
      [" ! [rejected]        main -> main (non-fast-forward)\nerror: failed to push some refs", "rejected"],
      ["ssh: Could not resolve hostname nope: Name or service not known", "no-remote"],
      ["error: RPC failed; HTTP 500", "failed"],
    ];
    for (const [text, code] of cases) assert.equal(classifyPushError(text).code, code, text);
  });
});

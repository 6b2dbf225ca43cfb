import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ErrorCode, MAX_CHANGED_FILES } from "#protocol";
import type { GitService } from "../../../extension/core/git/gitService";
import { gitFixture, type GitFixture } from "./gitFixture";
import { makeService, phone, rejection, scriptedModel, type TestThreads } from "./gitServiceHarness";
import { isolateGit, lines } from "./shipRepo";

describe("git service: state, Changes, diffs, staging, drafts (real git)", () => {
  let fx: GitFixture;
  let restore: () => void;
  let service: GitService;
  let threads: TestThreads;

  beforeEach(async () => {
    restore = isolateGit();
    fx = gitFixture({ "README.md": "hello\n", "src/app.ts": lines(), ".env": "TOKEN=old\n" });
    ({ service, threads } = await makeService(fx.workspace, fx.stateDir));
  });
  afterEach(() => {
    fx.dispose();
    restore();
  });

  it("answers a plain folder with repository:false and refuses the rest clearly", async () => {
    const plain = join(fx.root, "plain");
    mkdirSync(plain);
    const { service: bare } = await makeService(plain, fx.stateDir);
    const state = await bare.state();
    assert.equal(state.repository, false);
    assert.equal(state.branch, undefined);
    const refused = await rejection(bare.changes());
    assert.equal(refused.code, ErrorCode.BadRequest);
    assert.match(refused.message, /not a git repository/);
  });

  it("tells the branch, its upstream and the uncommitted files, leaving secrets out of the count", async () => {
    fx.write(
      fx.workspace,
      "src/app.ts",
      lines((n) => (n === 1 ? "changed" : `line ${n}`)),
    );
    fx.write(fx.workspace, ".env", "TOKEN=new\n");
    fx.write(fx.workspace, "keys/id_rsa", "PRIVATE\n");
    const state = await service.state();
    assert.equal(state.repository, true);
    assert.equal(state.branch, "main");
    assert.equal(state.upstream, "origin/main");
    assert.equal(state.uncommitted, 1);
    assert.equal(state.worktree, undefined);
  });

  it("lists changes with kinds, sides and line counts, without diff text and without secret files", async () => {
    fx.write(
      fx.workspace,
      "src/app.ts",
      lines((n) => (n === 3 ? "three" : `line ${n}`)),
    );
    fx.write(fx.workspace, "notes.md", "a\nb\nc\n");
    fx.write(fx.workspace, ".env", "TOKEN=new\n");
    fx.write(fx.workspace, "server.pem", "-----BEGIN PRIVATE KEY-----\n");
    fx.git(fx.workspace, "mv", "README.md", "READ.md");
    const { files, more } = await service.changes();
    assert.equal(more, 0);
    const byPath = new Map(files.map((f) => [f.path, f]));
    assert.deepEqual([...byPath.keys()].sort(), ["READ.md", "notes.md", "src/app.ts"]);
    assert.deepEqual(byPath.get("src/app.ts"), {
      path: "src/app.ts",
      kind: "modified",
      staged: false,
      unstaged: true,
      added: 1,
      removed: 1,
    });
    assert.deepEqual(byPath.get("notes.md"), {
      path: "notes.md",
      kind: "untracked",
      staged: false,
      unstaged: true,
      added: 3,
      removed: 0,
    });
    const renamed = byPath.get("READ.md");
    assert.equal(renamed?.kind, "renamed");
    assert.equal(renamed?.origPath, "README.md");
    assert.equal(renamed?.staged, true);
  });

  it("caps the list and counts the rest", async () => {
    for (let i = 0; i < MAX_CHANGED_FILES + 5; i++) fx.write(fx.workspace, `many/f${i}.txt`, "x\n");
    const { files, more } = await service.changes();
    assert.equal(files.length, MAX_CHANGED_FILES);
    assert.equal(more, 5);
  });

  it("lists the files of a repository that has no commit yet, with their line counts", async () => {
    const fresh = join(fx.root, "fresh");
    mkdirSync(fresh);
    fx.git(fresh, "init", "-q", "-b", "main");
    fx.write(fresh, "a.txt", "1\n2\n");
    fx.write(fresh, "b.txt", "1\n");
    fx.git(fresh, "add", "a.txt");
    const { service: first } = await makeService(fresh, fx.stateDir);
    const { files } = await first.changes();
    assert.deepEqual(files, [
      { path: "a.txt", kind: "added", staged: true, unstaged: false, added: 2, removed: 0 },
      { path: "b.txt", kind: "untracked", staged: false, unstaged: true, added: 1, removed: 0 },
    ]);
    assert.equal((await first.state()).branch, "main");
  });

  it("diffs one file per side, counts its hunks, and says why a new file cannot go by hunk", async () => {
    fx.write(
      fx.workspace,
      "src/app.ts",
      lines((n) => (n === 1 || n === 20 ? `edited ${n}` : `line ${n}`)),
    );
    fx.write(fx.workspace, "new.txt", "fresh\n");
    const unstaged = await service.diff("src/app.ts", "unstaged");
    assert.equal(unstaged.hunks, 2);
    assert.match(unstaged.diff, /^\+edited 20$/m);
    assert.equal(unstaged.byHunk, undefined);
    const staged = await service.diff("src/app.ts", "staged");
    assert.equal(staged.diff, "");
    assert.equal(staged.hunks, 0);
    const added = await service.diff("new.txt", "unstaged");
    assert.match(added.diff, /^\+fresh$/m);
    assert.match(added.byHunk ?? "", /new file/i);
  });

  it("refuses secret files, paths that climb out, glob names and unchanged files", async () => {
    fx.write(fx.workspace, ".env", "TOKEN=new\n");
    fx.write(fx.workspace, "src/app.ts", "changed\n");
    assert.equal((await rejection(service.diff(".env", "unstaged"))).code, ErrorCode.SecretFile);
    assert.equal((await rejection(service.diff("src/../.env", "unstaged"))).code, ErrorCode.OutsideWorkspace);
    assert.equal((await rejection(service.diff("/etc/passwd", "unstaged"))).code, ErrorCode.OutsideWorkspace);
    // A pathspec such as "*" would match .env too: it is not a changed file's name, so it is refused.
    assert.equal((await rejection(service.diff("*", "unstaged"))).code, ErrorCode.NotFound);
    assert.equal((await rejection(service.diff("README.md", "unstaged"))).code, ErrorCode.NotFound);
    const stageSecret = await rejection(service.handle({ type: "git-stage", paths: [".env"] }, phone));
    assert.equal(stageSecret.code, ErrorCode.SecretFile);
    await rejection(service.handle({ type: "git-stage", paths: ["*"] }, phone));
    assert.equal(fx.git(fx.workspace, "diff", "--cached", "--name-only"), "");
  });

  it("stages and unstages whole files and single hunks, and records it in the thread", async () => {
    threads.add("t1");
    fx.write(
      fx.workspace,
      "src/app.ts",
      lines((n) => (n === 1 || n === 20 ? `edited ${n}` : `line ${n}`)),
    );
    fx.write(fx.workspace, "app/[id].tsx", "page\n");
    await service.handle({ type: "git-stage", threadId: "t1", paths: ["src/app.ts"], hunk: 1 }, phone);
    const cached = fx.git(fx.workspace, "diff", "--cached");
    assert.match(cached, /^\+edited 20$/m);
    assert.doesNotMatch(cached, /^\+edited 1$/m);
    assert.equal((await service.diff("src/app.ts", "unstaged")).hunks, 1);
    await service.handle({ type: "git-stage", threadId: "t1", paths: ["app/[id].tsx"] }, phone);
    assert.deepEqual(fx.git(fx.workspace, "diff", "--cached", "--name-only").split("\n").filter(Boolean), [
      "app/[id].tsx",
      "src/app.ts",
    ]);
    await service.handle({ type: "git-unstage", threadId: "t1", paths: ["src/app.ts"], hunk: 0 }, phone);
    await service.handle({ type: "git-unstage", threadId: "t1", paths: ["app/[id].tsx"] }, phone);
    assert.equal(fx.git(fx.workspace, "diff", "--cached", "--name-only"), "");
    const texts = threads.events("t1").map((e) => `${e.action}:${e.text}:${e.by.name}`);
    assert.deepEqual(texts, [
      "stage:Staged hunk 2 of src/app.ts:Ada's phone",
      "stage:Staged app/[id].tsx:Ada's phone",
      "unstage:Unstaged hunk 1 of src/app.ts:Ada's phone",
      "unstage:Unstaged app/[id].tsx:Ada's phone",
    ]);
  });

  it("refuses a hunk that is not there in git's terms", async () => {
    fx.write(
      fx.workspace,
      "src/app.ts",
      lines((n) => (n === 1 ? "edited" : `line ${n}`)),
    );
    const refused = await rejection(service.handle({ type: "git-stage", paths: ["src/app.ts"], hunk: 4 }, phone));
    assert.equal(refused.code, ErrorCode.BadRequest);
    assert.match(refused.message, /has 1 unstaged hunk/);
  });

  it("drafts a commit message from the staged diff, leaving secret files out of the prompt", async () => {
    const model = scriptedModel("```\nAdd the greeting\n\nSay hello on start.\n```");
    threads.model = model;
    fx.write(fx.workspace, "src/app.ts", "export const greeting = 'hi';\n");
    fx.write(fx.workspace, ".env", "TOKEN=supersecret\n");
    fx.git(fx.workspace, "add", "-A");
    const draft = await service.draft("commit");
    assert.deepEqual(draft, {
      type: "git-draft",
      kind: "commit",
      title: "Add the greeting",
      body: "Say hello on start.",
      by: "test:drafter",
    });
    const prompt = model.requests[0]?.messages[0]?.content ?? "";
    assert.match(prompt, /greeting = 'hi'/);
    assert.doesNotMatch(prompt, /supersecret/);
    assert.deepEqual(model.requests[0]?.tools, []);
  });

  it("says so when no model is set up, nothing is staged, or the model is too slow", async () => {
    fx.write(fx.workspace, "src/app.ts", "x\n");
    fx.git(fx.workspace, "add", "-A");
    const none = await rejection(service.draft("commit"));
    assert.equal(none.message, "No model is set up on this computer to draft a message; write it yourself.");
    const slow = await makeService(fx.workspace, fx.stateDir, { draftTimeoutMs: 200 });
    slow.threads.model = scriptedModel("Too late", 5_000);
    const late = await rejection(slow.service.draft("commit"));
    assert.equal(late.code, ErrorCode.Timeout);
    fx.git(fx.workspace, "reset", "-q");
    threads.model = scriptedModel("unused");
    assert.match((await rejection(service.draft("commit"))).message, /Nothing is staged/);
  });

  it("drafts a pull request from the branch's commits against origin's default branch", async () => {
    const model = scriptedModel("Title: Rate limiting for the API\n\n## What\nLimits requests.");
    threads.model = model;
    fx.git(fx.workspace, "switch", "-q", "-c", "feature");
    fx.write(fx.workspace, "src/limit.ts", "export const limit = 10;\n");
    fx.commitAll(fx.workspace, "Add a request limit");
    const draft = await service.draft("pull-request");
    assert.equal(draft.title, "Rate limiting for the API");
    assert.equal(draft.body, "## What\nLimits requests.");
    const prompt = model.requests[0]?.messages[0]?.content ?? "";
    assert.match(prompt, /Add a request limit/);
    assert.match(prompt, /limit = 10/);
    assert.equal(readFileSync(join(fx.workspace, "src/limit.ts"), "utf8"), "export const limit = 10;\n");
  });
});

// A task in a worktree of its own, in a real VS Code (code-server's VS Code server, see
// test/support/vscodeServer.ts): the workspace is a git repository, the person starts the task
// from the editor's New Task with "Run in its own worktree", reviews it with Show Changes
// (diffs against the branch point), and merges the branch back with Merge Worktree…; a second
// task's merge conflicts with main, is reported with its files, and is discarded. The
// in-editor side is test/vscode/suite/worktree.suite.ts; this process plays the relay, the model
// (the scripted server of ./scenarios.ts), and the person at the page, and checks the workspace's
// files and git log afterwards with real git.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { screenshotPath } from "../support/browser";
import { startFakeOpenAI, type FakeModelServer, type FakeStep, type OpenAIBody } from "../support/fakeModels";
import { startRelay, type TestRelay } from "../support/relay";
import { startVscodeServer, tail, type VscodeServer } from "../support/vscodeServer";
import { dipper, MODEL_NAME, modelTurn, ouzel } from "./scenarios";

const REPO = join(__dirname, "..", "..");
const TESTS = join(REPO, "dist", "test", "vscode", "index.js");

describe("Tether in a real VS Code: a task in its own worktree", function () {
  let server: VscodeServer | undefined;
  let relay: TestRelay | undefined;
  let model: FakeModelServer<OpenAIBody> | undefined;
  let root: string;
  let workspace: string;
  /** Git as the editor's extension host runs it: this machine's configuration kept out, a test author. */
  let env: NodeJS.ProcessEnv;
  const git = (...args: string[]): string => execFileSync("git", args, { cwd: workspace, env, encoding: "utf8" });

  before(async function () {
    this.timeout(600_000);
    for (const built of [join(REPO, "dist", "extension.js"), TESTS])
      if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first (npm test does)`);
    root = mkdtempSync(join(tmpdir(), "tether-vscode-worktree-"));
    const home = join(root, "home");
    mkdirSync(home);
    env = {
      ...process.env,
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_AUTHOR_NAME: "Desk Person",
      GIT_AUTHOR_EMAIL: "desk@example.test",
      GIT_COMMITTER_NAME: "Desk Person",
      GIT_COMMITTER_EMAIL: "desk@example.test",
    };
    workspace = join(root, "birds");
    cpSync(join(__dirname, "workspace"), workspace, { recursive: true });
    writeFileSync(join(workspace, dipper.file), dipper.before);
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "Bird notes");
    relay = await startRelay();
    const step: FakeStep<OpenAIBody> = (request) => {
      model!.push(step);
      return modelTurn(request.body);
    };
    model = await startFakeOpenAI([step]);
    server = await startVscodeServer({ env: { ...env, HOME: home } });
    server.setMachineSettings({
      "tether.relayUrl": relay.url,
      "tether.model.provider": "openai",
      "tether.model.name": MODEL_NAME,
      "tether.model.baseUrl": model.url,
      "tether.policy.mode": "auto-edit",
      "tether.keepAwake": false,
      // Worktrees are the person's choice in New Task, not the default.
      "tether.worktrees": false,
    });
  });

  after(async () => {
    await server?.stop();
    await model?.close();
    await relay?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("reviews the worktree's changes against its branch point and merges its branch into the workspace", async function () {
    this.timeout(300_000);
    const base = git("rev-parse", "HEAD").trim();
    const run = await server!.runExtensionTests({
      workspace,
      extensionTestsPath: TESTS,
      profile: "worktree",
      context: { phase: "worktree" },
      screenshot: screenshotPath("vscode-worktree"),
      timeoutMs: 240_000,
    });
    const report =
      `Workbench and extension host console:\n${run.log}\n\n` +
      `Extension host logs:\n${run.hostLogs}\n\nServer:\n${tail(server!.output())}`;
    if (process.env.TETHER_VSCODE_LOG) console.log(report);
    assert.equal(run.exitCode, 0, `the in-editor tests failed (exit ${run.exitCode}).\n${report}`);
    for (const title of [
      "starts the task in its own worktree from New Task, leaving the workspace as it was",
      "shows the worktree's changes against the branch point",
      "merges the branch back into main from Merge Worktree…",
      "reports a conflicting merge with its files, and discards the task after asking with its count",
    ])
      assert.match(run.log, new RegExp(`✔ ${title}`), `"${title}" did not pass:\n${report}`);

    // The workspace, as the person finds it: on main, the first task's files merged in one
    // fast-forward (no merge commit), then main's own count; the discarded task nowhere.
    assert.equal(git("symbolic-ref", "--short", "HEAD").trim(), "main");
    assert.equal(readFileSync(join(workspace, dipper.file), "utf8"), ouzel.onMain);
    assert.equal(readFileSync(join(workspace, dipper.sighting.file), "utf8"), dipper.sighting.text);
    assert.equal(git("status", "--porcelain"), "");
    const log = git("log", "--format=%s|%an", `${base}..main`).trim().split("\n");
    assert.deepEqual(log, ["Five nests on main|Desk Person", `${dipper.sighting.message}|Desk Person`]);
    assert.doesNotMatch(git("log", "--all", "--format=%s"), new RegExp(ouzel.message));
    assert.doesNotMatch(git("branch", "--list"), /tether\/recount/);
  });
});

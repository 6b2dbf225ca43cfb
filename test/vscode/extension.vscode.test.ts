// The extension in a real VS Code (1.100, code-server's build of the VS Code server, see
// test/support/vscodeServer.ts): the bundled in-editor suites of test/vscode/suite/ run in its
// extension host against the extension built into dist/ and loaded from this checkout's
// package.json, with the workbench open in headless Chromium.
//
// This process plays what lies outside the editor: a real relay, the model (a scripted
// OpenAI-compatible server answering from ./scenarios.ts), and the person looking at the page
// (the desk, test/support/vscodeDesk.ts), who set Tether up in the settings for this machine. The
// suites pair their own phone clients with the editor through that relay. A second and third
// window on the same storage model a reload; two more open a cloned repository whose settings try
// to widen the agent.

import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { screenshotPath } from "../support/browser";
import { startFakeOpenAI, type FakeModelServer, type FakeStep, type OpenAIBody } from "../support/fakeModels";
import { startRelay, type TestRelay } from "../support/relay";
import { until } from "../support/wait";
import {
  startVscodeServer,
  tail,
  type ExtensionTestOptions,
  type ExtensionTestRun,
  type VscodeServer,
} from "../support/vscodeServer";
import { cranes, ledger, magpie, MODEL_NAME, modelTurn, summarise, wren } from "./scenarios";

const REPO = join(__dirname, "..", "..");
const TESTS = join(REPO, "dist", "test", "vscode", "index.js");

describe("Tether in a real VS Code", function () {
  let server: VscodeServer | undefined;
  let relay: TestRelay | undefined;
  let model: FakeModelServer<OpenAIBody> | undefined;
  let workspace: string;
  let userSettings: Record<string, unknown>;

  before(async function () {
    // The first run installs code-server into .cache/ (about a minute), later runs reuse it.
    this.timeout(600_000);
    for (const built of [join(REPO, "dist", "extension.js"), TESTS])
      if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first (npm test does)`);
    relay = await startRelay();
    // Every request takes the next step; this one answers from the scenarios and queues itself again.
    const step: FakeStep<OpenAIBody> = (request) => {
      model!.push(step);
      return modelTurn(request.body);
    };
    model = await startFakeOpenAI([step]);
    // A copy, so nothing the editor or the extension writes lands in the checkout.
    workspace = mkdtempSync(join(tmpdir(), "tether-vscode-ws-"));
    cpSync(join(__dirname, "workspace"), workspace, { recursive: true });
    server = await startVscodeServer();
    // Tether configured as a user would, for this machine: this relay and model. Tasks may edit
    // without asking (the most a phone may ask for); commands ask first. No sleep inhibitor on CI
    // machines.
    userSettings = {
      "tether.relayUrl": relay.url,
      // An OpenAI-compatible server on this machine (as Ollama or LM Studio would be): no API key.
      "tether.model.provider": "openai",
      "tether.model.name": MODEL_NAME,
      "tether.model.baseUrl": model.url,
      "tether.policy.mode": "auto-edit",
      "tether.keepAwake": false,
    };
    server.setMachineSettings(userSettings);
  });

  after(async () => {
    await server?.stop();
    await model?.close();
    await relay?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  /** Opens a window on the workspace that runs the in-editor suites (those of `phase`), and checks they passed. */
  async function runSuites(options: Partial<ExtensionTestOptions> & { phase?: string }): Promise<ExtensionTestRun> {
    const { phase, context, ...rest } = options;
    // One browser profile for every window, as one person's browser: the editor's secret storage
    // (the host's keys and pairings) lives in it and outlasts a reload.
    const run = await server!.runExtensionTests({
      workspace,
      extensionTestsPath: TESTS,
      profile: "desk",
      context: { ...context, ...(phase ? { phase } : {}) },
      ...rest,
    });
    const report =
      `Workbench and extension host console:\n${run.log}\n\n` +
      `Extension host logs:\n${run.hostLogs}\n\nServer:\n${tail(server!.output())}`;
    if (process.env.TETHER_VSCODE_LOG) console.log(report);
    assert.equal(run.exitCode, 0, `the in-editor tests failed (exit ${run.exitCode}).\n${report}`);
    // The report came through: a run that loaded no suite would exit 0 too.
    assert.match(run.log, /\b[1-9]\d* passing\b/, report);
    assert.doesNotMatch(run.log, /\bfailing\b/, report);
    return run;
  }

  it("passes the in-editor suites", async function () {
    this.timeout(240_000);
    const run = await runSuites({ screenshot: screenshotPath("vscode-workbench"), timeoutMs: 200_000 });
    for (const title of [
      "runs a task started with Tether: New Task",
      "asks in VS Code before a command, takes the phone's approval",
      "Show Changes opens the editor's diff",
      "runs a task typed in the sidebar with an @ file, and takes its approval there",
      "attaches the editor's selection with Ask Tether about this, and sends it with the task",
      "sends a file from the explorer as a mention, and the New Task key puts the typing in the composer",
      "binds New Task in the Sidebar to a key none of VS Code's own commands use",
      "copies a new link that opens that thread only, lists it, and revokes it",
    ])
      assert.match(run.log, new RegExp(`✔ ${title}`), `"${title}" did not pass:\n${run.log}`);
    // The host published all of it through the relay, which kept none of it readable.
    const kept = readdirSync(relay!.dataDir).map((f) => readFileSync(join(relay!.dataDir, f)).toString("latin1"));
    for (const marker of [summarise.task, ledger.command, wren.file, "nests: 4"])
      assert.ok(!kept.some((text) => text.includes(marker)), `the relay's files hold "${marker}"`);
  });

  it("marks a task that was running when the window reloaded as interrupted", async function () {
    this.timeout(300_000);
    const before = await runSuites({ phase: "reload-start" });
    assert.match(before.log, /✔ leaves a task running when the window closes/, before.log);
    // Closing the window ended the model's answer half-way: the host hung up on it.
    const call = model!.requests.find((r) => JSON.stringify(r.body.messages).includes(cranes.task));
    assert.ok(call, "the model was never asked");
    await until("the host to hang up on the model once the window closed", () => call.aborted, 10_000);
    const after = await runSuites({ phase: "reload-check" });
    assert.match(after.log, /✔ shows the task that was running as interrupted/, after.log);
    // The window after the reload was the same host to the relay: the editor kept its keys.
    assert.equal(relay!.logs.filter((line) => line.includes('"host registered"')).length, 1, relay!.logs.join("\n"));
  });

  it("runs with the user's settings, not a cloned repository's full-auto, allow rule, model server or relay", async function () {
    this.timeout(300_000);
    const cloned = mkdtempSync(join(tmpdir(), "tether-vscode-cloned-"));
    cpSync(join(__dirname, "cloned"), cloned, { recursive: true });
    const asked = (): number => model!.requests.filter((r) => JSON.stringify(r.body.messages).includes(magpie.task)).length;
    try {
      // The user's own mode here is ask, the narrowest that still runs a task.
      server!.setMachineSettings({ ...userSettings, "tether.policy.mode": "ask" });
      const before = await runSuites({ workspace: cloned, phase: "cloned-repository", context: { relay: relay!.url } });
      assert.match(before.log, /✔ keeps the user's relay, model and ask mode, and asks before rm/, before.log);
      // The task went to the user's model server, twice (the command, then its summary).
      assert.equal(asked(), 2);

      server!.setMachineSettings({ ...userSettings, "tether.policy.mode": "full-auto" });
      const after = await runSuites({ workspace: cloned, phase: "user-full-auto" });
      assert.match(after.log, /✔ runs rm without asking/, after.log);
      assert.match(after.log, /✔ restarts the host with the user's ask when the user changes it back/, after.log);
      assert.equal(asked(), 6);
    } finally {
      server!.setMachineSettings(userSettings);
      rmSync(cloned, { recursive: true, force: true });
    }
  });
});

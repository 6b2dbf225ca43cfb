// A first run in a real VS Code (code-server's VS Code server, see test/support/vscodeServer.ts):
// Tether's relay setting points at this computer, where nothing answers yet. The in-editor suite
// of phase "first-run" (suite/firstRun.suite.ts) starts a local relay from the walkthrough's
// command, pairs a phone in Chromium through it, starts a task, and looks at the walkthrough, the
// Devices view and the status bar. This side checks the relay goes when the window does.

import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { relayAnswers } from "../../extension/vscode/localRelay";
import { screenshotPath } from "../support/browser";
import { startFakeOpenAI, type FakeModelServer, type FakeStep, type OpenAIBody } from "../support/fakeModels";
import { freePort } from "../support/processes";
import { standIns, TAILNET_NAME } from "../support/standins";
import { startVscodeServer, tail, type VscodeServer } from "../support/vscodeServer";
import { until } from "../support/wait";
import { MODEL_NAME } from "./scenarios";

const REPO = join(__dirname, "..", "..");
const TESTS = join(REPO, "dist", "test", "vscode", "index.js");

describe("Tether's first run in a real VS Code", function () {
  let server: VscodeServer | undefined;
  let model: FakeModelServer<OpenAIBody> | undefined;
  let workspace: string;
  let relayUrl: string;
  let served: VscodeServer | undefined;
  let squatter: Server | undefined;

  const settings = (): Record<string, unknown> => ({
    "tether.model.provider": "openai",
    "tether.model.name": MODEL_NAME,
    "tether.model.baseUrl": model!.url,
    "tether.keepAwake": false,
  });

  before(async function () {
    this.timeout(600_000);
    for (const built of [join(REPO, "dist", "extension.js"), join(REPO, "dist", "relay.js"), TESTS])
      if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first (npm test does)`);
    // Every task finishes at once: the walkthrough only needs one to exist.
    const step: FakeStep<OpenAIBody> = () => {
      model!.push(step);
      return { toolCalls: [{ name: "finish", args: { summary: "Hello." } }] };
    };
    model = await startFakeOpenAI([step]);
    workspace = mkdtempSync(join(tmpdir(), "tether-vscode-first-run-"));
    cpSync(join(__dirname, "workspace"), workspace, { recursive: true });
    // Free now, nobody listening: the configured relay does not answer.
    relayUrl = `http://127.0.0.1:${await freePort()}`;
    server = await startVscodeServer();
    server.setMachineSettings({ ...settings(), "tether.relayUrl": relayUrl });
  });

  after(async () => {
    await served?.stop();
    await new Promise<void>((resolve) => (squatter ? squatter.close(() => resolve()) : resolve()));
    await server?.stop();
    await model?.close();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it("gets from a fresh editor to a paired phone with a local relay, which stops with the window", async function () {
    this.timeout(240_000);
    const run = await server!.runExtensionTests({
      workspace,
      extensionTestsPath: TESTS,
      context: { phase: "first-run" },
      screenshot: screenshotPath("vscode-first-run"),
      timeoutMs: 200_000,
    });
    const report = `Workbench and extension host console:\n${run.log}\n\nExtension host logs:\n${run.hostLogs}\n\nServer:\n${tail(server!.output())}`;
    if (process.env.TETHER_VSCODE_LOG) console.log(report);
    assert.equal(run.exitCode, 0, `the in-editor tests failed (exit ${run.exitCode}).\n${report}`);
    for (const title of [
      "builds Devices view items with a phone icon",
      "offers a local relay when none answers at the configured address",
      "opens the walkthrough with the relay, pairing and task steps to do",
      "starts a local relay at the configured address",
      "pairs a phone in Chromium through the local relay",
      "ticks the first task step once a task starts",
      "shows the paired phone in the Devices view with its icon",
    ])
      assert.match(run.log, new RegExp(`✔ ${title}`), `"${title}" did not pass:\n${report}`);
    assert.doesNotMatch(run.log, /\bfailing\b/, report);
    // The window closed: its relay went with it.
    await until(`the local relay at ${relayUrl} to go with its window`, async () => !(await relayAnswers(relayUrl)));
  });

  it("starts the local relay on another port when the configured one is taken, serves it with tailscale serve, and turns that off with the window", async function () {
    this.timeout(300_000);
    const tailscale = standIns(["tailscale"]);
    // Its own server: the extension host's PATH has the stand-in tailscale first. VSCODE_CLI tells
    // the server its environment is the user's already, so it does not replace PATH with a login
    // shell's.
    served = await startVscodeServer({ env: { ...tailscale.env, VSCODE_CLI: "1" } });
    // Something that is not a relay holds the configured port.
    squatter = createServer((_, res) => res.end("not a relay"));
    await new Promise<void>((resolve) => squatter!.listen(0, "127.0.0.1", resolve));
    const taken = (squatter.address() as AddressInfo).port;
    served.setMachineSettings({ ...settings(), "tether.relayUrl": `http://127.0.0.1:${taken}` });
    const run = await served.runExtensionTests({
      workspace,
      extensionTestsPath: TESTS,
      context: { phase: "first-run-tailscale", tailnet: TAILNET_NAME },
      timeoutMs: 120_000,
    });
    const report = `Workbench and extension host console:\n${run.log}\n\nExtension host logs:\n${run.hostLogs}`;
    assert.equal(run.exitCode, 0, `the in-editor tests failed (exit ${run.exitCode}).\n${report}`);
    assert.match(run.log, /✔ starts on another port when the configured one is taken, runs tailscale serve/, report);
    const calls = tailscale.calls();
    const serve = calls.map((c) => /^tailscale serve --bg --https=443 http:\/\/127\.0\.0\.1:(\d+)$/.exec(c)).find(Boolean);
    assert.ok(serve && Number(serve[1]) !== taken, calls.join("\n"));
    // The window closed: Tailscale stops serving and the relay is gone.
    assert.equal(calls.at(-1), "tailscale serve --https=443 off", calls.join("\n"));
    assert.equal(await relayAnswers(`http://127.0.0.1:${serve[1]}`), false);
  });
});

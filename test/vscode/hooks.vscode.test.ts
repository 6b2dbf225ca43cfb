// Hooks in a real VS Code (code-server's VS Code server, see test/support/vscodeServer.ts): the
// person's own hook in their machine settings (`tether.hooks`), and a workspace that carries
// `.tether/hooks.json`. The editor shows a notification with what the project's hooks would run,
// with Trust and Show File; the project's hook runs only after Trust. The in-editor side is
// test/vscode/suite/hooks.suite.ts; this process plays the relay, the model and the person.

import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { screenshotPath } from "../support/browser";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../support/fakeModels";
import { startRelay, type TestRelay } from "../support/relay";
import { startVscodeServer, tail, type VscodeServer } from "../support/vscodeServer";
import { MODEL_NAME } from "./scenarios";

const REPO = join(__dirname, "..", "..");
const TESTS = join(REPO, "dist", "test", "vscode", "index.js");

describe("Tether in a real VS Code: hooks", function () {
  let server: VscodeServer | undefined;
  let relay: TestRelay | undefined;
  let model: FakeModelServer<OpenAIBody> | undefined;
  let workspace: string;
  let marks: string;

  before(async function () {
    this.timeout(600_000);
    for (const built of [join(REPO, "dist", "extension.js"), TESTS])
      if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first (npm test does)`);
    relay = await startRelay();
    model = await startFakeOpenAI();
    marks = mkdtempSync(join(tmpdir(), "tether-vscode-hooks-marks-"));
    workspace = mkdtempSync(join(tmpdir(), "tether-vscode-hooks-"));
    cpSync(join(__dirname, "workspace"), workspace, { recursive: true });
    mkdirSync(join(workspace, ".tether"));
    writeFileSync(
      join(workspace, ".tether", "hooks.json"),
      JSON.stringify({
        hooks: [{ event: "PreToolUse", matcher: "command", command: `cat > /dev/null; touch '${join(marks, "project")}'` }],
      }),
    );
    server = await startVscodeServer();
    server.setMachineSettings({
      "tether.relayUrl": relay.url,
      "tether.model.provider": "openai",
      "tether.model.name": MODEL_NAME,
      "tether.model.baseUrl": model.url,
      "tether.policy.mode": "full-auto",
      "tether.keepAwake": false,
      "tether.hooks": [{ event: "PostToolUse", matcher: "command", command: `cat > /dev/null; touch '${join(marks, "user")}'` }],
    });
  });

  after(async () => {
    await server?.stop();
    await model?.close();
    await relay?.stop();
    for (const dir of [workspace, marks]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("asks to trust the project's hooks in a notification, and runs them only once trusted", async function () {
    this.timeout(240_000);
    const command = { toolCalls: [{ name: "run_command", args: { command: "echo checked", reason: "check" } }] };
    const finish = { toolCalls: [{ name: "finish", args: { summary: "checked" } }] };
    model!.push(command, finish, command, finish);
    const run = await server!.runExtensionTests({
      workspace,
      extensionTestsPath: TESTS,
      profile: "hooks",
      context: { phase: "hooks", marks },
      screenshot: screenshotPath("vscode-hooks"),
      timeoutMs: 200_000,
    });
    const report =
      `Workbench and extension host console:\n${run.log}\n\n` +
      `Extension host logs:\n${run.hostLogs}\n\nServer:\n${tail(server!.output())}`;
    if (process.env.TETHER_VSCODE_LOG) console.log(report);
    assert.equal(run.exitCode, 0, `the in-editor tests failed (exit ${run.exitCode}).\n${report}`);
    assert.match(run.log, /✔ shows what the project's hooks run, and runs them only after Trust/, report);
  });
});

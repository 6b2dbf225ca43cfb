// An outside agent in a real VS Code (code-server's VS Code server, see
// test/support/vscodeServer.ts): the person names a scripted ACP agent in their machine settings
// (`tether.agents`), chooses it in the editor's New Task, approves its command from the editor's
// notification, and the thread finishes. The in-editor side is test/vscode/suite/agents.suite.ts;
// this process plays the relay, the agent's script, and the person at the page.

import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { screenshotPath } from "../support/browser";
import { Cleanup } from "../support/cleanup";
import { readRecords, scriptedAgentCommand, type AgentCommand } from "../support/acpAgent/launch";
import { startRelay, type TestRelay } from "../support/relay";
import { startVscodeServer, tail, type VscodeServer } from "../support/vscodeServer";
import { otterScript, otters } from "./agentScenario";

const REPO = join(__dirname, "..", "..");
const TESTS = join(REPO, "dist", "test", "vscode", "index.js");

/** A command line as `tether.agents` holds it: each word quoted for the host's plain splitting. */
const commandLine = (agent: AgentCommand): string =>
  [agent.command, ...agent.args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(" ");

describe("Tether in a real VS Code: an outside agent over ACP", function () {
  const cleanup = new Cleanup();
  let server: VscodeServer | undefined;
  let relay: TestRelay | undefined;
  let workspace: string;
  let agent: AgentCommand;

  before(async function () {
    this.timeout(600_000);
    for (const built of [join(REPO, "dist", "extension.js"), TESTS])
      if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first (npm test does)`);
    relay = await startRelay();
    agent = scriptedAgentCommand(otterScript, cleanup);
    workspace = mkdtempSync(join(tmpdir(), "tether-vscode-agent-"));
    cpSync(join(__dirname, "workspace"), workspace, { recursive: true });
    // The script's paths reach the agent through the extension host's environment, which it inherits.
    server = await startVscodeServer({ env: { ...process.env, ...agent.env } });
    server.setMachineSettings({
      "tether.relayUrl": relay.url,
      "tether.policy.mode": "auto-edit",
      "tether.keepAwake": false,
      "tether.agents": { [otters.agent]: commandLine(agent) },
    });
  });

  after(async () => {
    await server?.stop();
    await relay?.stop();
    await cleanup.run();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it("runs the agent chosen in New Task, and its command once the person approves it in the editor", async function () {
    this.timeout(240_000);
    const run = await server!.runExtensionTests({
      workspace,
      extensionTestsPath: TESTS,
      profile: "agent",
      context: { phase: "acp-agent" },
      screenshot: screenshotPath("vscode-acp-agent"),
      timeoutMs: 200_000,
    });
    const report =
      `Workbench and extension host console:\n${run.log}\n\n` +
      `Extension host logs:\n${run.hostLogs}\n\nServer:\n${tail(server!.output())}\n\n` +
      `Agent records:\n${JSON.stringify(readRecords(agent.recordPath), null, 1)}`;
    if (process.env.TETHER_VSCODE_LOG) console.log(report);
    assert.equal(run.exitCode, 0, `the in-editor tests failed (exit ${run.exitCode}).\n${report}`);
    for (const title of [
      "offers the agents from the settings in New Task, and runs the chosen one",
      "offers the agent's models next time, with the agent chosen last, and a settings change at once",
      "takes a decision from the panel's card as the agent's own option of its kind",
    ])
      assert.match(run.log, new RegExp(`✔ ${title}`), `"${title}" did not pass:\n${report}`);

    // The agent itself heard the person's decisions as its own options of their kinds: the
    // notification's Approve, then the panel card's Deny.
    const records = readRecords(agent.recordPath);
    assert.deepEqual(
      records.flatMap((r) => (r.kind === "permission" ? [r.outcome] : [])),
      [
        { outcome: "selected", optionId: "allow-once", kind: "allow_once" },
        { outcome: "selected", optionId: "reject-once", kind: "reject_once" },
      ],
    );
    // One prompt a task, each with the task's words.
    const prompts = records.filter((r) => r.kind === "request" && r.method === "session/prompt");
    assert.equal(prompts.length, 2, report);
    assert.match(JSON.stringify(prompts[0]), new RegExp(otters.task));
    assert.match(JSON.stringify(prompts[1]), new RegExp(otters.again));
  });
});

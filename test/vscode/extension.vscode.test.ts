// The extension in a real VS Code (1.100, code-server's build of the VS Code server, see
// test/support/vscodeServer.ts): the bundled in-editor suites of test/vscode/suite/ run in its
// extension host against the extension built into dist/ and loaded from this checkout's
// package.json, with the workbench open in headless Chromium.

import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { screenshotPath } from "../support/browser";
import { startVscodeServer, tail, type VscodeServer } from "../support/vscodeServer";

const REPO = join(__dirname, "..", "..");
const TESTS = join(REPO, "dist", "test", "vscode", "index.js");

describe("Tether in a real VS Code", function () {
  let server: VscodeServer | undefined;
  let workspace: string;

  before(async function () {
    // The first run installs code-server into .cache/ (about a minute), later runs reuse it.
    this.timeout(600_000);
    for (const built of [join(REPO, "dist", "extension.js"), TESTS])
      if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first (npm test does)`);
    // A copy, so nothing the editor or the extension writes lands in the checkout. Suites that
    // need more (a relay's URL) get it the same way: written into this folder's settings.
    workspace = mkdtempSync(join(tmpdir(), "tether-vscode-ws-"));
    cpSync(join(__dirname, "workspace"), workspace, { recursive: true });
    server = await startVscodeServer();
  });

  after(async () => {
    await server?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it("passes the in-editor suites", async function () {
    this.timeout(180_000);
    const run = await server!.runExtensionTests({
      workspace,
      extensionTestsPath: TESTS,
      screenshot: screenshotPath("vscode-workbench"),
    });
    const report =
      `Workbench and extension host console:\n${run.log}\n\n` +
      `Extension host logs:\n${run.hostLogs}\n\nServer:\n${tail(server!.output())}`;
    if (process.env.TETHER_VSCODE_LOG) console.log(report);
    assert.equal(run.exitCode, 0, `the in-editor tests failed (exit ${run.exitCode}).\n${report}`);
    // The report came through: a run that loaded no suite would exit 0 too.
    assert.match(run.log, /\b[1-9]\d* passing\b/, report);
    assert.doesNotMatch(run.log, /\bfailing\b/, report);
  });
});

// What the host tells its phones of the project's hooks, as the phone parses it: none, untrusted
// with each command and the hash of the content, trusted; a file that cannot be read is told as
// untrusted with why. The phone's trust command names that hash.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sealedCommandSchema } from "#protocol";
import { projectHooksRecordSchema } from "#protocol/hooks";
import { hooksRecord } from "../../../extension/core/hooks/hooksRecord";
import { sha256Hex } from "../../../extension/core/hooks/hookTrust";
import { testHooks, writeProjectHooks } from "../../support/hookScripts";
import { makeWorkspace } from "../../support/workspace";

describe("the project hooks' record", () => {
  let workspace: string;
  let stateDir: string;
  beforeEach(() => {
    workspace = makeWorkspace({ "README.md": "# x\n" });
    stateDir = mkdtempSync(join(tmpdir(), "tether-hooks-record-"));
  });
  afterEach(() => {
    rmSync(workspace, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });

  const told = (hooks: ReturnType<typeof testHooks>["hooks"]) => projectHooksRecordSchema.parse(hooksRecord(hooks.project()));

  it("tells none, then what an untrusted file runs with its content's hash, then trusted", () => {
    const { hooks } = testHooks(workspace, stateDir);
    assert.deepEqual(told(hooks), { state: "none" });
    writeProjectHooks(workspace, { hooks: [{ event: "Stop", matcher: "*", command: "npm test", timeout: 120 }] });
    const untrusted = told(hooks);
    assert.ok(untrusted.state === "untrusted");
    assert.deepEqual(untrusted.hooks, [{ event: "Stop", matcher: "*", command: "npm test", timeout: 120 }]);
    assert.equal(untrusted.changed, false);
    const content = JSON.stringify({ hooks: [{ event: "Stop", matcher: "*", command: "npm test", timeout: 120 }] }, null, 2);
    assert.equal(untrusted.hash, sha256Hex(content));
    const command = sealedCommandSchema.parse({ sentAt: 1, command: { type: "hooks-trust", hash: untrusted.hash } });
    assert.equal(command.command.type, "hooks-trust");
    assert.equal(hooks.trustProject(untrusted.hash), true);
    assert.deepEqual(told(hooks), { state: "trusted", hash: untrusted.hash, file: ".tether/hooks.json" });
  });

  it("tells a file that cannot be read as untrusted, saying why, and refuses to trust it", () => {
    const { hooks } = testHooks(workspace, stateDir);
    writeProjectHooks(workspace, {});
    writeFileSync(join(workspace, ".tether", "hooks.json"), '{ "hooks": [ { "event": "Sometime", "command": "x" } ] }');
    const record = told(hooks);
    assert.ok(record.state === "untrusted");
    assert.match(record.error ?? "", /unknown event "Sometime"/);
    assert.equal(hooks.trustProject(record.hash), false);
  });
});

// Reading hooks lists: Tether's flat list, and Claude Code's and Gemini CLI's nested settings
// shape taken as they are; what cannot be read is refused saying where; matchers take tool
// names, kinds and the other agents' tool names.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HookConfigError, parseHooks } from "../../../extension/core/hooks/hookConfig";
import { matches } from "../../../extension/core/hooks/hookMatch";
import { readUserHooks } from "../../../extension/core/hooks/userHooks";
import { ConfigError, hostConfigFrom } from "../../../extension/headless/config";

describe("hooks lists", () => {
  it("reads Tether's flat list with a default time limit of 60 s", () => {
    const hooks = parseHooks({ hooks: [{ event: "PreToolUse", matcher: "command", command: "./check.sh" }] }, "user");
    assert.deepEqual(hooks, [{ event: "PreToolUse", matcher: "command", command: "./check.sh", timeoutS: 60, source: "user" }]);
  });

  it("reads Claude Code's settings shape, and Gemini CLI's event names", () => {
    const claude = {
      hooks: {
        PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "guard.sh", timeout: 5 }] }],
        Stop: [{ hooks: [{ type: "command", command: "notify.sh" }] }],
      },
    };
    assert.deepEqual(
      parseHooks(claude, "project").map((h) => [h.event, h.matcher, h.command, h.timeoutS]),
      [
        ["PreToolUse", "Bash", "guard.sh", 5],
        ["Stop", undefined, "notify.sh", 60],
      ],
    );
    const gemini = { hooks: { BeforeTool: [{ matcher: "write_file", hooks: [{ type: "command", command: "lint.sh" }] }] } };
    assert.equal(parseHooks(gemini, "user")[0]?.event, "PreToolUse");
  });

  it("refuses an unknown event, a time limit over 10 minutes and an empty command, saying where", () => {
    assert.throws(() => parseHooks({ hooks: [{ event: "BeforeLunch", command: "x" }] }, "user"), /unknown event "BeforeLunch"/);
    assert.throws(() => parseHooks({ hooks: [{ event: "Stop", command: "x", timeout: 601 }] }, "user"), /at hooks\.0\.timeout/);
    assert.throws(() => parseHooks({ hooks: [{ event: "Stop", command: "  " }] }, "user"), HookConfigError);
  });

  it("matchers take kinds, tool names, other agents' tool names and regular expressions", () => {
    const command = { tool: "run_command", kind: "command" };
    const edit = { tool: "write_file", kind: "edit" };
    assert.equal(matches(undefined, command), true);
    assert.equal(matches("*", edit), true);
    assert.equal(matches("command", command), true);
    assert.equal(matches("Bash", command), true);
    assert.equal(matches("Bash", edit), false);
    assert.equal(matches("Edit|Write", edit), true);
    assert.equal(matches("read", edit), false);
    assert.equal(matches("run_.*", command), true);
    assert.equal(matches("[", command), false, "a broken expression matches nothing");
  });

  it("a user's file: none when missing, refused when broken; --hooks must name a file that is there", () => {
    const dir = mkdtempSync(join(tmpdir(), "tether-hooks-file-"));
    try {
      assert.deepEqual(readUserHooks(join(dir, "hooks.json")), []);
      writeFileSync(join(dir, "hooks.json"), "{ not json");
      assert.throws(() => readUserHooks(join(dir, "hooks.json")), /hooks\.json is not valid JSON/);
      const config = hostConfigFrom({ "state-dir": dir }, {}, dir);
      assert.equal(config.hooksFile, join(dir, "hooks.json"));
      assert.throws(() => hostConfigFrom({ hooks: "missing.json" }, {}, dir), ConfigError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

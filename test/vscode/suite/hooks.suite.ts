// Runs inside VS Code, on a workspace whose `.tether/hooks.json` would touch a file before each
// command, with the user's own `tether.hooks` touching another after each (the outer test,
// ../hooks.vscode.test.ts, sets both up). The notification shows what the project's hooks run;
// a task's command runs the user's hook but not the project's until Trust is clicked.

import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import { randomId } from "#protocol";
import type { PairedPhone } from "../../support/phone";
import { desk, onlyInPhase } from "../support/desk";
import { ended, pairThroughEditor } from "../support/phones";

describe("Tether in VS Code: hooks", function () {
  this.timeout(120_000);
  let phone: PairedPhone | undefined;
  before(onlyInPhase("hooks"));
  after(() => phone?.close());

  it("shows what the project's hooks run, and runs them only after Trust", async () => {
    const { marks } = (await desk.context()) as { marks: string };
    phone = await pairThroughEditor("Pixel with hooks");
    const toast = await desk.notification({ contains: "this project's hooks" });
    assert.match(toast, /not trusted yet/);
    assert.ok(
      toast.includes(`PreToolUse: cat > /dev/null; touch '${join(marks, "project")}'`),
      "the toast does not show the command",
    );
    const buttons = await desk.notificationButtons({ contains: "this project's hooks" });
    assert.deepEqual(
      buttons.map((b) => b.label),
      ["Trust", "Show File"],
    );
    await desk.capture({ name: "vscode-hooks-toast" });

    // Before Trust: the user's hook runs after the command, the project's does not.
    const first = randomId(12);
    await phone.send({ type: "new-task", threadId: first, text: "Check it" });
    const firstEnd = await phone.waitFor(first, ended);
    assert.equal(firstEnd.type === "status" && firstEnd.status, "done");
    assert.ok(existsSync(join(marks, "user")), "the user's hook from the settings did not run");
    assert.equal(existsSync(join(marks, "project")), false, "an untrusted project hook ran");

    await desk.notificationClick({ contains: "this project's hooks", button: "Trust" });
    await desk.notification({ contains: "the project's hooks are trusted" });
    rmSync(join(marks, "user"));
    const second = randomId(12);
    await phone.send({ type: "new-task", threadId: second, text: "Check it again" });
    const secondEnd = await phone.waitFor(second, ended);
    assert.equal(secondEnd.type === "status" && secondEnd.status, "done");
    assert.ok(existsSync(join(marks, "project")), "the trusted project hook did not run");
    await vscode.commands.executeCommand("notifications.clearAll");
  });
});

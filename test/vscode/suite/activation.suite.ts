// Runs inside VS Code (see index.ts): the extension as the editor loads it from package.json.

import assert from "node:assert/strict";
import * as vscode from "vscode";
import manifest from "../../../package.json";

const ID = `${manifest.publisher}.${manifest.name}`;

describe("Tether in VS Code: activation", () => {
  it("is installed from this checkout", () => {
    const extension = vscode.extensions.getExtension(ID);
    assert.ok(extension, `${ID} is not among ${vscode.extensions.all.map((e) => e.id).join(", ")}`);
    assert.equal(extension.packageJSON.version, manifest.version);
    assert.equal(extension.extensionKind, vscode.ExtensionKind.Workspace);
  });

  it("activates on Tether: Show Log", async () => {
    const extension = vscode.extensions.getExtension(ID)!;
    // Nothing else activates it: no `*` or startup event, and its views are not open.
    assert.equal(extension.isActive, false, "active before any Tether command ran");
    await vscode.commands.executeCommand("tether.showLog");
    assert.equal(extension.isActive, true);
  });

  it("registers every command it contributes", async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = manifest.contributes.commands.map((c) => c.command);
    assert.ok(contributed.includes("tether.pairPhone") && contributed.includes("tether.showLog"));
    // A command in the palette with no handler fails with "command not found" when picked.
    assert.deepEqual(
      contributed.filter((id) => !registered.has(id)),
      [],
    );
  });
});

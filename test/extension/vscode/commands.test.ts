// The editor's commands: each id package.json contributes has exactly one file in
// extension/vscode/commands/ that implements it, each file there implements a contributed id,
// and they are registered in one place only. Runs without an editor: the ids are a plain module.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { COMMAND_IDS } from "../../../extension/vscode/commands/ids";

const REPO = join(__dirname, "..", "..", "..");
const EDITOR = join(REPO, "extension", "vscode");
const COMMANDS_DIR = join(EDITOR, "commands");
/** The folder's files that are not commands: the shape, the ids, the registration. */
const NOT_COMMANDS = new Set(["command.ts", "ids.ts", "index.ts"]);

const contributed = (
  JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { contributes: { commands: { command: string }[] } }
).contributes.commands.map((c) => c.command);

const commandFiles = readdirSync(COMMANDS_DIR)
  .filter((name) => name.endsWith(".ts") && !NOT_COMMANDS.has(name))
  .map((name) => name.slice(0, -".ts".length))
  .sort();

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

describe("the editor's commands", () => {
  it("contributes each id once, and each contributed id is one command's", () => {
    assert.equal(new Set(contributed).size, contributed.length, "package.json contributes an id twice");
    const ids = Object.values(COMMAND_IDS);
    assert.equal(new Set(ids).size, ids.length, "two commands share an id");
    assert.deepEqual([...ids].sort(), [...contributed].sort());
  });

  it("has one file per command, named as its key in ids.ts, and no file without a command", () => {
    assert.deepEqual(commandFiles, Object.keys(COMMAND_IDS).sort());
  });

  it("gives each file the id of its own name and no other", () => {
    for (const name of commandFiles) {
      const text = readFileSync(join(COMMANDS_DIR, `${name}.ts`), "utf8");
      const named = [...text.matchAll(/\bid: COMMAND_IDS\.(\w+)/g)].map((m) => m[1]);
      assert.deepEqual(named, [name], `${name}.ts must implement exactly COMMAND_IDS.${name}`);
    }
  });

  it("registers commands in commands/index.ts only", () => {
    const registering = sources(EDITOR)
      .filter((path) => readFileSync(path, "utf8").includes("registerCommand("))
      .map((path) => relative(EDITOR, path));
    assert.deepEqual(registering, [join("commands", "index.ts")]);
  });
});

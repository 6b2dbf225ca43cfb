// The extension's manifest: its settings are the user's alone, and the .vsix as `npm run package`
// makes it (here from the test build in dist/, which npm test makes first) holds the bundled
// extension and its marketplace files, nothing else.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REPO = join(__dirname, "..", "..");

/** The names in a zip file's central directory. */
function zipEntries(zip: Buffer): string[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(end >= 0, "not a zip file: no end of central directory");
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, "broken central directory");
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    names.push(zip.toString("utf8", at + 46, at + 46 + nameLength));
    at += 46 + skip;
  }
  return names;
}

interface SettingSchema {
  scope?: string;
}

const SETTINGS = (
  JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
    contributes: { configuration: { properties: Record<string, SettingSchema> } };
  }
).contributes.configuration.properties;

/**
 * Why each setting is the user's and never a workspace's: a workspace value would come from any
 * repository the user clones and opens (its `.vscode/settings.json`, or a `.code-workspace` file).
 */
const USER_ONLY: Record<string, string> = {
  "tether.policy.mode": "full-auto would run the repository's commands without asking",
  "tether.policy.allow": "an allow rule runs a command without asking",
  "tether.policy.deny": "a workspace's list would replace the user's deny rules, not add to them",
  "tether.model.provider": "decides which service gets the code and which API key is sent",
  "tether.model.name": "decides which model, and which bill, the user's key pays for",
  "tether.model.baseUrl": "the API key and the code go to this server",
  "tether.relayUrl": "the host registers with this relay and pairs phones through it",
  "tether.maxThreads": "how many runs this machine carries at once is its owner's call, and each spends the user's key",
  "tether.notifications": "which devices the host pings through push services, and whether approvals reach the phone",
  "tether.keepAwake": "whether this computer may sleep is its owner's call, not a repository's",
  "tether.agents": "each entry is a program the host runs, with the user's keys in its environment",
  "tether.defaultAgent": "which program runs a task that names no agent, and which service gets the code",
  "tether.hooks": "each hook is a command the host runs with the user's rights, and an allow from one lifts an ask",
};

/**
 * Settings a repository may set, each with why it cannot widen what the agent does or where
 * keys and code go. Any other setting must be machine or application scoped.
 */
const WORKSPACE_SETTABLE: Record<string, string> = {};

// `machine`: only user settings (in a remote window, the remote machine's, where this workspace
// extension and its host run); `application`: only the local user settings. Workspace and folder
// settings cannot set either.
const USER_SCOPES = ["machine", "application"];

describe("the settings", () => {
  it("can be set by the user only: a workspace's .vscode/settings.json cannot widen the agent or redirect keys", () => {
    for (const [name, why] of Object.entries(USER_ONLY)) {
      const schema = SETTINGS[name];
      assert.ok(schema, `${name} is no longer contributed: update this list (${why})`);
      assert.ok(USER_SCOPES.includes(schema.scope ?? ""), `${name} has scope ${schema.scope ?? "window (none given)"}: ${why}`);
    }
  });

  it("gives every new setting a user-only scope, unless it says why a workspace may set it", () => {
    const open = Object.entries(SETTINGS)
      .filter(([name, schema]) => !USER_SCOPES.includes(schema.scope ?? "") && !(name in WORKSPACE_SETTABLE))
      .map(([name, schema]) => `${name} (${schema.scope ?? "no scope: window"})`);
    assert.deepEqual(open, [], "settings a workspace could set; scope them machine, or list them in WORKSPACE_SETTABLE");
  });
});

describe("the .vsix", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "tether-vsix-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("packages the bundle, icon, readme, changelog and licence, without sources or node_modules", function () {
    this.timeout(120_000);
    if (!existsSync(join(REPO, "dist", "extension.js")))
      throw new Error("dist/extension.js is missing: run `npm run build` first");
    const out = join(dir, "tether.vsix");
    // The same vsce command as `npm run package`, written elsewhere.
    const run = spawnSync("npm", ["run", "--silent", "vsix", "--", "--out", out], { cwd: REPO, encoding: "utf8" });
    assert.equal(run.status, 0, `vsce failed:\n${run.stdout}\n${run.stderr}`);

    const names = zipEntries(readFileSync(out));
    for (const name of [
      "extension/package.json",
      "extension/dist/extension.js",
      // The approval gate's shell grammar, loaded beside the bundle.
      "extension/dist/tree-sitter.wasm",
      "extension/dist/tree-sitter-bash.wasm",
      "extension/media/icon.png",
      "extension/readme.md",
      "extension/changelog.md",
      "extension/LICENSE.txt",
    ])
      assert.ok(names.includes(name), `${name} is not in the .vsix: ${names.join(", ")}`);
    const stray = names.filter((n) =>
      /node_modules\/|\.ts$|\.map$|^extension\/(test|relay|protocol|mobile-web|scripts)\/|\.cache\//.test(n),
    );
    assert.deepEqual(stray, []);
  });
});

// The .vsix as `npm run package` makes it (here from the test build in dist/, which npm test
// makes first): the bundled extension and its marketplace files, nothing else.

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

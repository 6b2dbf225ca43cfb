import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ErrorCode, MAX_READ_BYTES } from "#protocol";
import { Mirror, normalizeRelative, trimToCharBoundary } from "../../../extension/core/mirror/mirror";
import { SecretRules } from "../../../extension/core/mirror/rules";
import { nodeFileSystem } from "../../../extension/node/nodeFileSystem";
import { link, makeWorkspace } from "../../support/workspace";

const codeOf = (code: string) => (err: { code?: string }) => err.code === code;
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

describe("workspace mirror", () => {
  let root: string;
  let outside: string;
  let mirror: Mirror;

  before(async () => {
    outside = mkdtempSync(join(tmpdir(), "tether-outside-"));
    writeFileSync(join(outside, "passwd"), "root:x:0:0");
    root = makeWorkspace({
      "README.md": "# api-service\n",
      "src/index.ts": "export const port = 8080;\n",
      "src/routes/subscribe.ts": "export function subscribe() {}\n",
      ".gitignore": "node_modules/\n*.log\nbuild\n",
      "node_modules/left-pad/index.js": "module.exports = 1;\n",
      "debug.log": "noise\n",
      "build/out.js": "compiled\n",
      "packages/web/.gitignore": "dist/\n",
      "packages/web/dist/app.js": "bundle\n",
      "packages/web/src/app.ts": "app\n",
      ".env": "API_KEY=sk-live-123\n",
      ".env.production": "API_KEY=sk-live-456\n",
      "config/server.pem": "-----BEGIN PRIVATE KEY-----\n",
      "deploy/id_ed25519": "key\n",
      "home/.ssh/config": "Host *\n",
      ".git/HEAD": "ref: refs/heads/main\n",
      "assets/logo.png": PNG,
      "bin/tool": new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]),
    });
    link(root, "escape", outside);
    link(root, "passwd-link", join(outside, "passwd"));
    link(root, "readme-link", "README.md");
    link(root, "innocent", ".env");
    link(root, "src/bundle", "../packages/web/dist/app.js");
    mirror = await Mirror.open({ fs: nodeFileSystem, root });
  });

  after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it("lists a folder with folders first, and counts what it hides", async () => {
    const listing = await mirror.listDir("");
    const names = listing.entries.map((e) => e.name);
    assert.deepEqual(names.slice(0, 6), ["assets", "bin", "config", "deploy", "home", "packages"]);
    assert.ok(names.includes("README.md"));
    assert.ok(names.includes(".gitignore"));
    for (const hidden of ["node_modules", "debug.log", "build", ".env", ".env.production", ".git"]) {
      assert.ok(!names.includes(hidden), `${hidden} must be hidden`);
    }
    assert.equal(listing.hidden, 6);
    const readme = listing.entries.find((e) => e.name === "README.md")!;
    assert.equal(readme.kind, "file");
    assert.equal(readme.size, 14);
  });

  it("shows a symlink that leaves the workspace as a link, not as its target", async () => {
    const listing = await mirror.listDir("");
    assert.equal(listing.entries.find((e) => e.name === "escape")?.kind, "symlink");
    assert.equal(listing.entries.find((e) => e.name === "readme-link")?.kind, "file");
  });

  it("honours nested .gitignore files", async () => {
    const names = (await mirror.listDir("packages/web")).entries.map((e) => e.name);
    assert.deepEqual(names, ["src", ".gitignore"]);
  });

  it("hides secret files at any depth and refuses to read them", async () => {
    assert.deepEqual((await mirror.listDir("config")).entries, []);
    assert.deepEqual((await mirror.listDir("deploy")).entries, []);
    assert.deepEqual((await mirror.listDir("home")).entries, []);
    for (const path of [".env", ".env.production", "config/server.pem", "deploy/id_ed25519", "home/.ssh/config", "innocent"]) {
      await assert.rejects(mirror.readFile(path), codeOf(ErrorCode.SecretFile), path);
    }
  });

  it("refuses paths that leave the workspace", async () => {
    for (const path of [
      "..",
      "../etc/passwd",
      "src/../../x",
      "/etc/passwd",
      "C:\\Windows",
      "escape/passwd",
      "passwd-link",
      "escape",
    ]) {
      await assert.rejects(mirror.readFile(path), codeOf(ErrorCode.OutsideWorkspace), path);
    }
    await assert.rejects(mirror.listDir("escape"), codeOf(ErrorCode.OutsideWorkspace));
  });

  it("refuses ignored paths asked for directly", async () => {
    await assert.rejects(mirror.readFile("node_modules/left-pad/index.js"), codeOf(ErrorCode.NotFound));
    await assert.rejects(mirror.readFile(".git/HEAD"), codeOf(ErrorCode.NotFound));
    await assert.rejects(mirror.listDir("packages/web/dist"), codeOf(ErrorCode.NotFound));
    // Below an ignored folder of a nested .gitignore, and through a link that leads there.
    await assert.rejects(mirror.readFile("packages/web/dist/app.js"), codeOf(ErrorCode.NotFound));
    await assert.rejects(mirror.readFile("build/out.js"), codeOf(ErrorCode.NotFound));
    await assert.rejects(mirror.readFile("src/bundle"), codeOf(ErrorCode.NotFound));
  });

  it("reads text, follows links inside the workspace, and marks images and binaries", async () => {
    const text = await mirror.readFile("src/routes/../index.ts");
    assert.equal(text.path, "src/index.ts");
    assert.equal(text.kind, "text");
    assert.equal(text.content, "export const port = 8080;\n");
    assert.equal(text.eof, true);
    assert.equal((await mirror.readFile("readme-link")).content, "# api-service\n");
    const image = await mirror.readFile("assets/logo.png");
    assert.equal(image.kind, "image");
    assert.equal(image.mime, "image/png");
    const binary = await mirror.readFile("bin/tool");
    assert.equal(binary.kind, "binary");
    assert.equal(binary.content, "");
  });

  it("pages a large file without splitting a character", async () => {
    const line = "héllo wörld — ✓ 🚀\n";
    const big = line.repeat(Math.ceil((MAX_READ_BYTES * 2.5) / Buffer.byteLength(line)));
    writeFileSync(join(root, "big.txt"), big);
    let offset = 0;
    let text = "";
    let pages = 0;
    for (;;) {
      const page = await mirror.readFile("big.txt", offset);
      assert.equal(page.kind, "text");
      assert.ok(Buffer.byteLength(page.content) <= MAX_READ_BYTES);
      text += page.content;
      offset += Buffer.byteLength(page.content);
      pages++;
      if (page.eof) break;
    }
    assert.equal(pages, 3);
    assert.equal(text, big);
  });

  it("keeps a byte-order mark, so offsets of later slices stay right", async () => {
    const body = "\uFEFF" + "x".repeat(MAX_READ_BYTES);
    writeFileSync(join(root, "bom.txt"), body);
    const first = await mirror.readFile("bom.txt");
    assert.equal(first.content.charCodeAt(0), 0xfeff);
    const second = await mirror.readFile("bom.txt", Buffer.byteLength(first.content));
    assert.equal(first.content + second.content, body);
  });

  it("sends an image too large to show without its bytes", async () => {
    writeFileSync(join(root, "huge.png"), new Uint8Array(2 * 1024 * 1024));
    const huge = await mirror.readFile("huge.png");
    assert.deepEqual([huge.kind, huge.content, huge.size, huge.eof], ["image", "", 2 * 1024 * 1024, true]);
  });

  it("says clearly what is missing", async () => {
    await assert.rejects(
      mirror.readFile("nope.txt"),
      (e: { code?: string; message: string }) => e.code === ErrorCode.NotFound && /nope\.txt/.test(e.message),
    );
    await assert.rejects(mirror.readFile("src"), codeOf(ErrorCode.NotFound));
    await assert.rejects(mirror.listDir("README.md"), codeOf(ErrorCode.NotFound));
  });
});

describe("mirror rules", () => {
  it("normalises relative paths and refuses climbing out", () => {
    assert.equal(normalizeRelative(""), "");
    assert.equal(normalizeRelative("./src//a/./b"), "src/a/b");
    assert.equal(normalizeRelative("src/a/../b"), "src/b");
    assert.throws(() => normalizeRelative("a/../../b"), codeOf(ErrorCode.OutsideWorkspace));
    assert.throws(() => normalizeRelative("a\0b"), codeOf(ErrorCode.BadRequest));
  });

  it("matches secret files by name anywhere, and secret folders with everything in them", () => {
    const rules = new SecretRules();
    for (const p of [
      ".env",
      "a/.env.local",
      "certs/tls.key",
      "x/id_rsa",
      "x/id_rsa.pub",
      ".aws/credentials",
      "a/.ssh/known_hosts",
      ".npmrc",
      "terraform.tfstate",
    ]) {
      assert.equal(rules.isSecret(p), true, p);
    }
    for (const p of ["src/env.ts", "environment.md", "keys.ts", "docs/ssh.md", "README.md"]) {
      assert.equal(rules.isSecret(p), false, p);
    }
  });

  it("trims a slice to a whole UTF-8 character", () => {
    const bytes = new TextEncoder().encode("a€");
    assert.deepEqual(trimToCharBoundary(bytes.subarray(0, 3)), bytes.subarray(0, 1));
    assert.deepEqual(trimToCharBoundary(bytes), bytes);
  });
});

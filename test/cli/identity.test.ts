import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CliError } from "../../cli/errors";
import {
  defaultIdentityPath,
  exportIdentity,
  identitySource,
  importIdentity,
  readIdentity,
  writeIdentity,
  type Identity,
} from "../../cli/identity";

const IDENTITY: Identity = {
  v: 1,
  relay: "http://127.0.0.1:8787",
  name: "release job",
  privateKey: { kty: "EC", crv: "P-256", x: "x", y: "y", d: "d" },
  publicKey: "pub",
  deviceId: "dev-1",
  token: "tok",
  hosts: [
    {
      hostId: "h1",
      hostKey: "hk",
      epoch: 2,
      key: "k2",
      older: [{ epoch: 1, key: "k1" }],
      profile: { name: "ci-box", workspace: "api", platform: "linux", version: "0.1.0" },
      pairedAt: 1,
    },
  ],
};

describe("cli: the identity file and TETHER_IDENTITY", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "tether-cli-identity-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the file 0600 whatever the umask, and reads back what it wrote", () => {
    const old = process.umask(0o000);
    try {
      const path = join(dir, "tether", "identity.json");
      writeIdentity(path, IDENTITY);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.deepEqual(readIdentity({ path, fromEnv: false }), IDENTITY);
    } finally {
      process.umask(old);
    }
  });

  it("exports one string that imports to the same identity, and refuses a changed one", () => {
    const text = exportIdentity(IDENTITY);
    assert.doesNotMatch(text, /\s/, "one line, fit for a secret");
    assert.deepEqual(importIdentity(`${text}\n`), IDENTITY);
    assert.throws(() => importIdentity(text.slice(0, -10)), CliError);
    assert.throws(() => importIdentity("ghp_notanidentity"), /not a Tether identity/);
  });

  it("uses TETHER_IDENTITY unless --identity names a file, and XDG_CONFIG_HOME for the default file", () => {
    const env = { TETHER_IDENTITY: exportIdentity(IDENTITY), XDG_CONFIG_HOME: dir };
    assert.deepEqual(identitySource(undefined, env), { path: join(dir, "tether", "identity.json"), fromEnv: true });
    assert.deepEqual(identitySource("/x.json", env), { path: "/x.json", fromEnv: false });
    assert.equal(defaultIdentityPath({}).endsWith(join(".config", "tether", "identity.json")), true);
    assert.deepEqual(readIdentity(identitySource(undefined, env), env), IDENTITY);
  });

  it("tells a missing file (not paired) from one that is not an identity", () => {
    assert.equal(readIdentity({ path: join(dir, "none.json"), fromEnv: false }), null);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{}");
    assert.throws(() => readIdentity({ path: bad, fromEnv: false }), /is not a Tether identity/);
    assert.equal(readFileSync(bad, "utf8"), "{}", "left as it was");
  });
});

import assert from "node:assert/strict";
import { ConfigError, parseRelayConfig } from "../../relay/config";

const defaults = { webDir: "/srv/tether/web" };

describe("relay config", () => {
  it("defaults to 127.0.0.1:8787 and the bundled web app", () => {
    const config = parseRelayConfig([], {}, defaults)!;
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.port, 8787);
    assert.equal(config.webDir, "/srv/tether/web");
    assert.match(config.dataDir, /\.tether\/relay$/);
  });

  it("reads TETHER_* variables, and flags win over them", () => {
    const env = {
      TETHER_HOST: "0.0.0.0",
      TETHER_PORT: "9000",
      TETHER_DATA_DIR: "/var/lib/tether",
      TETHER_PUBLIC_URL: "https://t.example/x",
    };
    const fromEnv = parseRelayConfig([], env, defaults)!;
    assert.deepEqual(
      [fromEnv.host, fromEnv.port, fromEnv.dataDir, fromEnv.publicUrl],
      ["0.0.0.0", 9000, "/var/lib/tether", "https://t.example"],
    );
    const flagged = parseRelayConfig(["--port", "0", "--host", "::1"], env, defaults)!;
    assert.deepEqual([flagged.host, flagged.port], ["::1", 0]);
  });

  it("returns null for --help", () => {
    assert.equal(parseRelayConfig(["--help"], {}, defaults), null);
    assert.equal(parseRelayConfig(["-h"], {}, defaults), null);
  });

  it("says which setting is wrong", () => {
    assert.throws(
      () => parseRelayConfig(["--port", "http"], {}, defaults),
      (e: Error) => e instanceof ConfigError && /--port/.test(e.message),
    );
    assert.throws(() => parseRelayConfig(["--port", "70000"], {}, defaults), /--port/);
    assert.throws(() => parseRelayConfig(["--public-url", "ftp://x"], {}, defaults), /--public-url/);
    assert.throws(() => parseRelayConfig(["--log-format", "xml"], {}, defaults), /--log-format/);
    assert.throws(() => parseRelayConfig(["--nope"], {}, defaults), /--nope/);
  });
});

import assert from "node:assert/strict";
import { hostname } from "node:os";
import { parseHostConfig } from "../../../extension/headless/config";

describe("tether-host config", () => {
  it("defaults to the local relay, the current folder and the machine's name", () => {
    const config = parseHostConfig([], {}, "/home/dev/api")!;
    assert.equal(config.relay, "http://127.0.0.1:8787");
    assert.equal(config.folder, "/home/dev/api");
    assert.equal(config.name, hostname());
    assert.match(config.stateDir, /\.tether$/);
    assert.equal(config.pair, "auto");
    assert.equal(config.acceptPairing, false);
  });

  it("takes flags over TETHER_* variables, and resolves the folder against the current one", () => {
    const env = { TETHER_RELAY: "https://relay.example/", TETHER_HOST_NAME: "mac-mini", TETHER_STATE_DIR: "/var/tether" };
    const fromEnv = parseHostConfig([], env, "/w")!;
    assert.deepEqual([fromEnv.relay, fromEnv.name, fromEnv.stateDir], ["https://relay.example", "mac-mini", "/var/tether"]);
    const flagged = parseHostConfig(
      ["--relay", "http://10.0.0.5:9000/x", "--folder", "../other", "--name", "box", "--pair", "--accept-pairing"],
      env,
      "/w/api",
    )!;
    assert.deepEqual(
      [flagged.relay, flagged.folder, flagged.name, flagged.pair, flagged.acceptPairing],
      ["http://10.0.0.5:9000", "/w/other", "box", true, true],
    );
    assert.equal(parseHostConfig(["--no-pair"], {}, "/w")!.pair, false);
  });

  it("refuses a relay that is not an http(s) URL, and unknown flags", () => {
    assert.throws(() => parseHostConfig(["--relay", "relay.example"], {}, "/w"), /--relay must be an http\(s\) URL/);
    assert.throws(() => parseHostConfig(["--folderr", "x"], {}, "/w"), /--folderr/);
  });
});

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

  it("makes a local relay reachable with --tailscale or --tunnel, one at a time", () => {
    assert.equal(parseHostConfig([], {}, "/w")!.expose, undefined);
    assert.equal(parseHostConfig(["--tailscale"], {}, "/w")!.expose, "tailscale");
    assert.equal(parseHostConfig(["--tunnel"], {}, "/w")!.expose, "tunnel");
    assert.throws(() => parseHostConfig(["--tailscale", "--tunnel"], {}, "/w"), /pick one/);
  });

  it("notifies phones unless told not to", () => {
    assert.equal(parseHostConfig([], {}, "/w")!.notify, true);
    assert.equal(parseHostConfig(["--no-notify"], {}, "/w")!.notify, false);
    assert.equal(parseHostConfig([], { TETHER_NOTIFY: "off" }, "/w")!.notify, false);
  });

  it("keeps the computer awake during tasks unless told not to", () => {
    assert.equal(parseHostConfig([], {}, "/w")!.keepAwake, true);
    assert.equal(parseHostConfig(["--no-keep-awake"], {}, "/w")!.keepAwake, false);
    assert.equal(parseHostConfig([], { TETHER_KEEP_AWAKE: "off" }, "/w")!.keepAwake, false);
  });

  it("reads the agent's model, mode, rules and parallel tasks from flags over the environment", () => {
    const defaults = parseHostConfig([], {}, "/w")!.agent;
    assert.deepEqual(defaults, { agents: [], mode: "ask", allow: [], deny: [], maxThreads: 2, worktrees: false });
    const env = {
      TETHER_MODEL: "anthropic:claude-x",
      TETHER_MODE: "auto-edit",
      TETHER_ALLOW: "npm test, git status",
      TETHER_MAX_THREADS: "3",
    };
    assert.deepEqual(parseHostConfig([], env, "/w")!.agent, {
      agents: [],
      model: "anthropic:claude-x",
      mode: "auto-edit",
      allow: ["npm test", "git status"],
      deny: [],
      maxThreads: 3,
      worktrees: false,
    });
    const flagged = parseHostConfig(
      [
        "--model",
        "ollama:qwen",
        "--base-url",
        "http://gpu:11434/v1",
        "--mode",
        "full-auto",
        "--deny",
        "git push",
        "--max-threads",
        "1",
      ],
      env,
      "/w",
    )!.agent;
    assert.deepEqual(flagged, {
      agents: [],
      model: "ollama:qwen",
      baseUrl: "http://gpu:11434/v1",
      mode: "full-auto",
      allow: ["npm test", "git status"],
      deny: ["git push"],
      maxThreads: 1,
      worktrees: false,
    });
  });

  it("runs tasks in worktrees of their own by default with --worktrees or TETHER_WORKTREES=1", () => {
    assert.equal(parseHostConfig([], {}, "/w")!.agent.worktrees, false);
    assert.equal(parseHostConfig(["--worktrees"], {}, "/w")!.agent.worktrees, true);
    assert.equal(parseHostConfig([], { TETHER_WORKTREES: "1" }, "/w")!.agent.worktrees, true);
    assert.equal(parseHostConfig([], { TETHER_WORKTREES: "0" }, "/w")!.agent.worktrees, false);
    assert.throws(() => parseHostConfig(["--worktrees=yes"], {}, "/w"), /worktrees/);
  });

  it("explains a bad mode, thread count or base URL", () => {
    assert.throws(
      () => parseHostConfig(["--mode", "yolo"], {}, "/w"),
      /--mode must be one of read-only, ask, auto-edit, full-auto/,
    );
    assert.throws(() => parseHostConfig(["--max-threads", "0"], {}, "/w"), /--max-threads must be a whole number/);
    assert.throws(() => parseHostConfig(["--base-url", "localhost:11434"], {}, "/w"), /--base-url must be an http\(s\) URL/);
  });

  it("refuses a relay that is not an http(s) URL, and unknown flags", () => {
    assert.throws(() => parseHostConfig(["--relay", "relay.example"], {}, "/w"), /--relay must be an http\(s\) URL/);
    assert.throws(() => parseHostConfig(["--folderr", "x"], {}, "/w"), /--folderr/);
  });
});

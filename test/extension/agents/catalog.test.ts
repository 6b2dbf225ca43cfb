import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { AgentConfigError, KNOWN_AGENTS, hostAgents, parseAgentSpec, splitWords } from "../../../extension/core/agents/catalog";
import { HostAgents, findProgram } from "../../../extension/core/agents/hostAgents";
import { toolCommand } from "../../../extension/core/agents/toolInput";
import { parseHostConfig } from "../../../extension/headless/config";
import { quietLog } from "../../support/host";

describe("outside agents: the catalog, --agent, and finding programs", () => {
  let bin: string;
  before(() => {
    bin = mkdtempSync(join(tmpdir(), "tether-bin-"));
    writeFileSync(join(bin, "runs"), "#!/bin/sh\n");
    chmodSync(join(bin, "runs"), 0o755);
    writeFileSync(join(bin, "plain"), "not a program\n");
    chmodSync(join(bin, "plain"), 0o644);
  });
  after(() => rmSync(bin, { recursive: true, force: true }));

  it("splits a command line as a shell splits plain words and quotes, expanding nothing", () => {
    assert.deepEqual(splitWords("my-agent --acp"), ["my-agent", "--acp"]);
    assert.deepEqual(splitWords('  a   \'b c\'  "d \\"e\\"" f\\ g '), ["a", "b c", 'd "e"', "f g"]);
    assert.deepEqual(splitWords("x '' y"), ["x", "", "y"]);
    assert.deepEqual(splitWords("echo $HOME `id` *"), ["echo", "$HOME", "`id`", "*"]);
    assert.deepEqual(splitWords("'it'\\''s'"), ["it's"]);
    assert.deepEqual(splitWords(""), []);
    assert.throws(
      () => splitWords("a 'b"),
      (err: Error) => err instanceof AgentConfigError && /unclosed '/.test(err.message),
    );
    assert.throws(() => splitWords('a "b'), /unclosed "/);
  });

  it("reads NAME=COMMAND, a known name keeping what Tether knows of it, and refuses what cannot be an agent", () => {
    assert.deepEqual(parseAgentSpec("mine=my-agent --acp"), { id: "mine", name: "mine", command: ["my-agent", "--acp"] });
    const claude = parseAgentSpec("Claude=/opt/claude-acp --verbose");
    const known = KNOWN_AGENTS.find((a) => a.id === "claude")!;
    assert.deepEqual(claude.command, ["/opt/claude-acp", "--verbose"]);
    assert.equal(claude.name, "Claude Code");
    assert.deepEqual(claude.modes, known.modes);
    assert.equal(claude.install, known.install);
    assert.deepEqual(parseAgentSpec("a=b=c").command, ["b=c"]);
    assert.throws(() => parseAgentSpec("no-command"), /NAME=COMMAND/);
    assert.throws(() => parseAgentSpec("=cmd"), /NAME=COMMAND/);
    assert.throws(() => parseAgentSpec("mine="), /has no command/);
    assert.throws(() => parseAgentSpec("mine=   "), /has no command/);
    assert.throws(() => parseAgentSpec("tether=x"), /Tether's own agent/);
    assert.throws(() => parseAgentSpec("my agent=x"), /lower-case letters/);
    assert.throws(() => parseAgentSpec(`${"a".repeat(41)}=x`), AgentConfigError);
  });

  it("lists the known agents then a person's own, replacing by name, and checks the default", () => {
    const own = [parseAgentSpec("mine=m"), parseAgentSpec("codex=/usr/local/bin/codex-acp")];
    const agents = hostAgents(own, "mine");
    assert.deepEqual(
      agents.map((a) => a.id),
      [...KNOWN_AGENTS.map((a) => a.id), "mine"],
    );
    assert.deepEqual(agents.find((a) => a.id === "codex")!.command, ["/usr/local/bin/codex-acp"]);
    assert.doesNotThrow(() => hostAgents([], "tether"));
    assert.doesNotThrow(() => hostAgents([], "gemini"));
    assert.doesNotThrow(() => hostAgents([], undefined));
    assert.throws(() => hostAgents(own, "nobody"), /"nobody" is not an agent here; choose tether, claude/);
  });

  it("finds a program only where it is an executable file", () => {
    assert.equal(findProgram("runs", `/nowhere${delimiter}${bin}`), join(bin, "runs"));
    assert.equal(findProgram("plain", bin), undefined);
    assert.equal(findProgram("missing", bin), undefined);
    assert.equal(findProgram("", bin), undefined);
    assert.equal(findProgram(join(bin, "runs"), ""), join(bin, "runs"));
    assert.equal(findProgram("runs", ""), undefined);
    // A folder is searchable ("executable") but is not a program.
    mkdirSync(join(bin, "folder"), { recursive: true });
    assert.equal(findProgram("folder", bin), undefined);
    assert.equal(findProgram(bin, ""), undefined);
  });

  it("tells phones which agents are installed, with the install command for the rest", () => {
    const agents = new HostAgents({
      definitions: [
        { id: "here", name: "Here", command: ["runs"] },
        { id: "gone", name: "Gone", command: ["nope"], install: "npm i -g gone" },
      ],
      defaultAgent: "here",
      hostName: "h",
      log: quietLog,
      path: bin,
    });
    assert.deepEqual(agents.list(), [
      { id: "tether", name: "Tether", installed: true },
      { id: "here", name: "Here", installed: true },
      { id: "gone", name: "Gone", installed: false, install: "npm i -g gone" },
    ]);
    assert.equal(agents.defaultAgent, "here");
    assert.equal(new HostAgents({ definitions: [], hostName: "h", log: quietLog }).defaultAgent, "tether");
  });

  it("reads the command line out of each agent's tool input", () => {
    assert.equal(toolCommand({ command: "npm test" }, "execute"), "npm test");
    assert.equal(toolCommand({ cmd: "ls -la" }, undefined), "ls -la");
    assert.equal(toolCommand({ cmd: ["bash", "-lc", "npm test && rm -rf x"] }, "execute"), "npm test && rm -rf x");
    assert.equal(toolCommand({ command: ["/bin/sh", "-c", "echo hi"] }, "execute"), "echo hi");
    assert.equal(toolCommand({ cmd: ["git", "commit", "-m", "it's done"] }, "execute"), "git commit -m 'it'\\''s done'");
    assert.equal(toolCommand({ args: ["rm", "-rf", "/"] }, "execute"), "rm -rf /");
    assert.equal(toolCommand({ args: ["rm", "-rf", "/"] }, "edit"), undefined);
    assert.equal(toolCommand({ command: "  " }, "execute"), undefined);
    assert.equal(toolCommand({ command: ["rm", 1] }, "execute"), undefined);
    assert.equal(toolCommand({ path: "a.txt" }, "read"), undefined);
    assert.equal(toolCommand(["rm"], "execute"), undefined);
    assert.equal(toolCommand("rm -rf /", "execute"), undefined);
    assert.equal(toolCommand(null, "execute"), undefined);
    // A shell with more than its script is not read as the script alone.
    assert.equal(toolCommand({ cmd: ["bash", "-c", "echo $0", "rm -rf /"] }, "execute"), "bash -c 'echo $0' 'rm -rf /'");
  });

  it("takes --agent (repeatable) and --default-agent on the command line", () => {
    const config = parseHostConfig(["--agent", "a=b", "--agent", "c=d e", "--agent", 'q="d e" --x'], {}, "/w")!;
    assert.deepEqual(
      config.agent.agents.map((a) => [a.id, a.command]),
      [
        ["a", ["b"]],
        ["c", ["d", "e"]],
        ["q", ["d e", "--x"]],
      ],
    );
    assert.equal(config.agent.defaultAgent, undefined);
    assert.equal(parseHostConfig(["--agent", "a=b", "--default-agent", "A"], {}, "/w")!.agent.defaultAgent, "a");
    assert.equal(parseHostConfig([], { TETHER_DEFAULT_AGENT: "claude" }, "/w")!.agent.defaultAgent, "claude");
    assert.equal(parseHostConfig(["--default-agent", "tether"], {}, "/w")!.agent.defaultAgent, "tether");
    assert.throws(
      () => parseHostConfig(["--default-agent", "nobody"], {}, "/w"),
      /--default-agent "nobody" is not an agent here/,
    );
    assert.throws(() => parseHostConfig(["--agent", "broken"], {}, "/w"), /--agent takes NAME=COMMAND/);
    assert.throws(() => parseHostConfig(["--agent", "x='open"], {}, "/w"), /unclosed/);
  });
});

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HostAgents } from "../../../extension/core/agents/hostAgents";
import { parseAgentSettings } from "../../../extension/vscode/agentSettings";

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

const REPO = join(__dirname, "..", "..", "..");

describe("the editor's agent settings", () => {
  it("adds a person's agents to the known ones, and replaces how a known one starts", () => {
    const { definitions, defaultAgent, problems } = parseAgentSettings(
      { mine: "my-agent --acp --name 'two words'", claude: "/opt/bin/claude-agent-acp" },
      "mine",
    );
    assert.deepEqual(problems, []);
    assert.equal(defaultAgent, "mine");
    assert.deepEqual(definitions.find((d) => d.id === "mine")?.command, ["my-agent", "--acp", "--name", "two words"]);
    const claude = definitions.find((d) => d.id === "claude");
    assert.deepEqual(claude?.command, ["/opt/bin/claude-agent-acp"]);
    // Still the known agent: its name and how it keeps asking permission.
    assert.equal(claude?.name, "Claude Code");
    assert.equal(claude?.modes?.asking, "default");
    assert.ok(
      definitions.some((d) => d.id === "codex"),
      "the known agents stay",
    );
  });

  it("leaves out each invalid entry with a line naming it, and keeps the rest", () => {
    const { definitions, problems } = parseAgentSettings(
      {
        good: "good-agent --acp",
        "Bad Name": "x --acp",
        tether: "not-tether",
        empty: "   ",
        number: 42,
        quote: "agent 'unclosed",
      },
      undefined,
    );
    assert.ok(definitions.some((d) => d.id === "good"));
    for (const id of ["bad name", "tether", "empty", "number", "quote"])
      assert.ok(!definitions.some((d) => d.id === id), `${id} left out`);
    assert.equal(problems.length, 5, problems.join("\n"));
    for (const name of ["Bad Name", "tether", "empty", "number", "quote"])
      assert.ok(
        problems.some((p) => p.startsWith(`tether.agents "${name}"`)),
        `a problem names "${name}":\n${problems.join("\n")}`,
      );
  });

  it("falls back to Tether's own agent when the default names none here, and says so", () => {
    const unknown = parseAgentSettings({}, "nobody");
    assert.equal(unknown.defaultAgent, "tether");
    assert.match(unknown.problems.join("\n"), /tether\.defaultAgent "nobody" is not an agent here/);
    assert.deepEqual(parseAgentSettings(undefined, undefined), { ...parseAgentSettings({}, "tether") });
    assert.equal(parseAgentSettings({}, "Codex").defaultAgent, "codex");
  });

  it("ignores a value that is not a map of names, and says so", () => {
    const { definitions, problems } = parseAgentSettings(["my-agent --acp"], "tether");
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /tether\.agents should map a name to a command line/);
    assert.deepEqual(
      definitions.map((d) => d.id),
      parseAgentSettings({}, undefined).definitions.map((d) => d.id),
    );
  });

  it("are machine settings: a repository's workspace settings cannot add an agent or choose the default", () => {
    const properties = (
      JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
        contributes: { configuration: { properties: Record<string, { scope?: string; default?: unknown }> } };
      }
    ).contributes.configuration.properties;
    assert.equal(properties["tether.agents"]?.scope, "machine");
    assert.equal(properties["tether.defaultAgent"]?.scope, "machine");
    assert.equal(properties["tether.defaultAgent"]?.default, "tether");
  });

  it("change the running host's agents for new tasks, and tell whoever shows the list", () => {
    const before = parseAgentSettings({}, undefined);
    const agents = new HostAgents({
      definitions: before.definitions,
      defaultAgent: before.defaultAgent,
      hostName: "desk",
      log: quiet,
    });
    let told = 0;
    agents.onChange(() => told++);
    assert.equal(agents.definition("mine"), undefined);
    const after = parseAgentSettings({ mine: "/bin/sh --acp" }, "mine");
    agents.configure(after.definitions, after.defaultAgent);
    assert.equal(told, 1);
    assert.equal(agents.defaultAgent, "mine");
    assert.deepEqual(
      agents.list().find((a) => a.id === "mine"),
      { id: "mine", name: "mine", installed: true },
    );
  });
});

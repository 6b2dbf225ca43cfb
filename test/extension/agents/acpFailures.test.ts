import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { step } from "../../support/acpAgent/script";
import {
  ended,
  eventsOf,
  phone,
  requests,
  said,
  scriptedDefinition,
  send,
  startAcpHost,
  tempFolder,
  threadId,
} from "../../support/acpHost";
import { Cleanup } from "../../support/cleanup";

describe("an outside agent that cannot run a thread, and says why", function () {
  this.timeout(60_000);
  const cleanup = new Cleanup();
  after(() => cleanup.run());

  it("fails with the login an agent needs, and the agent list says so", async () => {
    const { definition } = scriptedDefinition(
      {
        authRequired: true,
        initialize: { authMethods: [{ id: "browser", name: "Log in with a browser", description: "opens a page" }] },
        turns: [],
      },
      cleanup,
      { login: "run `scripted login` once" },
    );
    const host = await startAcpHost({ cleanup, definitions: [definition] });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "go", agent: "scripted" }, phone);
    assert.equal(await ended(host, id), "failed");
    const error = eventsOf(host, id).find((e) => e.type === "error");
    const message = error?.type === "error" ? error.message : "";
    assert.match(message, /needs a login on test-host/);
    assert.match(message, /scripted login/);
    assert.match(message, /Log in with a browser/);
    const listed = host.agents.list().find((a) => a.id === "scripted");
    assert.match(listed?.login ?? "", /scripted login/);
  });

  it("fails with the agent's last stderr lines when it crashes mid-turn", async () => {
    const { definition } = scriptedDefinition(
      { turns: [[step.say("starting"), step.crash(["warming up", "fatal: out of tokens"], 7)]] },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition] });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "go", agent: "scripted" }, phone);
    assert.equal(await ended(host, id), "failed");
    const events = eventsOf(host, id);
    const error = events.find((e) => e.type === "error");
    const message = error?.type === "error" ? error.message : "";
    assert.match(message, /exited during its turn \(code 7\)/);
    assert.match(message, /warming up\nfatal: out of tokens/);
    assert.deepEqual(said(events), ["starting"]);
    assert.equal(host.agents.live(id), undefined);
  });

  it("says an agent is not installed: refused at once when PATH lacks it, failed with the install command when it vanished", async () => {
    const missing = { id: "ghost", name: "Ghost", command: ["tether-no-such-agent"], install: "npm i -g ghost" };
    const bin = tempFolder(cleanup, "bin");
    writeFileSync(join(bin, "tether-no-such-agent"), "#!/bin/sh\nexit 1\n");
    chmodSync(join(bin, "tether-no-such-agent"), 0o755);
    const host = await startAcpHost({ cleanup, definitions: [missing] });
    assert.equal(host.agents.list().find((a) => a.id === "ghost")?.installed, false);
    assert.equal(host.agents.list().find((a) => a.id === "ghost")?.install, "npm i -g ghost");
    assert.throws(
      () => host.manager.newTask({ threadId: threadId(), text: "go", agent: "ghost" }, phone),
      /Ghost is not installed on this computer. Install it with: npm i -g ghost/,
    );
    assert.throws(() => host.manager.newTask({ threadId: threadId(), text: "go", agent: "nobody" }, phone), /no agent "nobody"/);

    // Found on the PATH the host looks in, gone from the one it starts agents with.
    const seen = await startAcpHost({ cleanup, definitions: [missing], path: bin });
    const id = threadId();
    seen.manager.newTask({ threadId: id, text: "go", agent: "ghost" }, phone);
    assert.equal(await ended(seen, id), "failed");
    const error = eventsOf(seen, id).find((e) => e.type === "error");
    assert.match(error?.type === "error" ? error.message : "", /Ghost is not installed.*Install it with: npm i -g ghost/);
  });

  it("fails with the agent's stderr when it exits as it starts", async () => {
    const broken = { id: "broken", name: "Broken", command: ["/bin/sh", "-c", "echo 'no config file' >&2; exit 4"] };
    const host = await startAcpHost({ cleanup, definitions: [broken] });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "go", agent: "broken" }, phone);
    assert.equal(await ended(host, id), "failed");
    const error = eventsOf(host, id).find((e) => e.type === "error");
    assert.equal(error?.type === "error" && error.message, "Broken exited as it started (code 4):\nno config file");
  });

  it("fails a turn the agent ended short (refusal, length limit) and goes on in the same session", async () => {
    const { definition, agent } = scriptedDefinition(
      { turns: [[step.say("no"), step.stop("refusal")], [step.stop("max_tokens")], [step.say("fine")]] },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition] });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "go", agent: "scripted" }, phone);
    assert.equal(await ended(host, id), "failed");
    const errors = (): string[] => eventsOf(host, id).flatMap((e) => (e.type === "error" ? [e.message] : []));
    assert.deepEqual(errors(), ["Scripted declined to go on with this request."]);
    await send(host, id, "please");
    assert.equal(host.manager.get(id)?.status, "failed");
    assert.equal(errors()[1], "Scripted stopped: its answer reached its length limit.");
    await send(host, id, "shorter");
    assert.equal(host.manager.get(id)?.status, "done");
    assert.deepEqual(said(eventsOf(host, id)), ["no", "fine"]);
    assert.equal(requests(agent.recordPath, "initialize").length, 1);
  });
});

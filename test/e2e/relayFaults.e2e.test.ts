// The relay under faults, as real processes from dist/: killed with SIGKILL in the middle of a
// run and started again on its data, a host that is away while its phone sends commands, and a
// phone that reconnects a thousand times while a task runs. Each ends by comparing what the
// phone holds with what the host wrote to its own thread store.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomId, type ThreadEvent } from "#protocol";
import { ThreadStore, workspaceStateDir } from "../../extension/core/threads/threadStore";
import { startFakeOpenAI, type FakeModelServer, type FakeStep, type OpenAIBody } from "../support/fakeModels";
import { connect, connected, once, pairPhone, type PairedPhone } from "../support/phone";
import { freePort, start, type Proc } from "../support/processes";
import { assertSameAsHost, catchUp, contiguous, hostEventsDone, merge } from "../support/threadSync";
import { until } from "../support/wait";
import { makeWorkspace } from "../support/workspace";

const DIST = join(__dirname, "..", "..", "dist");
const quiet = { info() {}, warn() {}, error() {} };

/** A task that reads, runs a three-second command, writes, runs another and finishes. */
function longTask(tag: string): FakeStep<OpenAIBody>[] {
  return [
    { text: `Reading the notes for ${tag}.`, toolCalls: [{ name: "read_file", args: { path: "notes.md" } }] },
    {
      text: "Counting.",
      toolCalls: [{ name: "run_command", args: { command: "for i in 1 2 3 4 5 6; do echo tick-$i; sleep 0.5; done" } }],
    },
    { toolCalls: [{ name: "write_file", args: { path: `out-${tag}.txt`, content: `${tag}\n` } }] },
    { toolCalls: [{ name: "run_command", args: { command: `echo finished-${tag}` } }] },
    { toolCalls: [{ name: "finish", args: { summary: `Wrote out-${tag}.txt.` } }] },
  ];
}

interface Setup {
  tmp: string;
  workspace: string;
  port: number;
  relayUrl: string;
  relay: Proc;
  host: Proc;
  model: FakeModelServer<OpenAIBody>;
  phone: PairedPhone;
}

function startRelayProc(tmp: string, port: number): Proc {
  return start("node", [
    join(DIST, "relay.js"),
    "--port",
    String(port),
    "--data-dir",
    join(tmp, "relay"),
    "--log-format",
    "json",
  ]);
}

function startHostProc(s: Pick<Setup, "tmp" | "workspace" | "relayUrl" | "model">, pair: boolean): Proc {
  const args = [
    join(DIST, "host.js"),
    "--relay",
    s.relayUrl,
    "--folder",
    s.workspace,
    "--name",
    "faults",
    "--state-dir",
    join(s.tmp, "host"),
    "--model",
    "openai:fault-model",
    "--base-url",
    s.model.url,
    "--mode",
    "full-auto",
    "--no-keep-awake",
  ];
  if (pair) args.push("--pair", "--accept-pairing");
  return start("node", args, { env: { OPENAI_API_KEY: "", TETHER_MODEL: "" } });
}

async function setUp(script: FakeStep<OpenAIBody>[]): Promise<Setup> {
  const tmp = mkdtempSync(join(tmpdir(), "tether-faults-"));
  const workspace = realpathSync(makeWorkspace({ "notes.md": "# Notes\n" }));
  const port = await freePort();
  const relay = startRelayProc(tmp, port);
  const relayUrl = (await relay.waitFor(/listening on (http:\/\/\S+)/))[1]!;
  const model = await startFakeOpenAI(script);
  const host = startHostProc({ tmp, workspace, relayUrl, model }, true);
  const link = (await host.waitFor(/(http:\/\/\S+#pair=\S+)/))[1]!;
  const phone = await pairPhone(link, "fault phone");
  return { tmp, workspace, port, relayUrl, relay, host, model, phone };
}

async function tearDown(s: Setup | undefined): Promise<void> {
  if (!s) return;
  s.phone.close();
  await s.host.stop();
  await s.relay.stop();
  await s.model.close();
  rmSync(s.tmp, { recursive: true, force: true });
  rmSync(s.workspace, { recursive: true, force: true });
}

/** The host's own record of a thread, from its store on disk. */
/**
 * Connects again and catches up, as the app does on every reconnect, until the phone holds
 * `count` events in a row; after 30 s the assertion that follows says what is missing. Returns
 * how many events the relay sent.
 */
async function reconnectUntilHeld(s: Setup, threadId: string, held: Map<number, string>, count: number): Promise<number> {
  let received = 0;
  const holdsAll = async (): Promise<boolean> => {
    if (contiguous(held) >= count) return true;
    const socket = connect(s.relayUrl, { token: s.phone.token });
    try {
      await connected(socket);
      received += await catchUp(socket, s.phone, threadId, held);
    } finally {
      socket.close();
    }
    return contiguous(held) >= count;
  };
  await until(`the phone to hold all ${count} events`, holdsAll, 30_000).catch(() => undefined);
  return received;
}

describe("the relay under faults (processes)", function () {
  this.timeout(120_000);

  before(() => {
    if (!existsSync(join(DIST, "host.js")) || !existsSync(join(DIST, "relay.js")))
      throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
  });

  describe("killed with SIGKILL in the middle of a run", () => {
    let s: Setup | undefined;
    after(() => tearDown(s));

    it("comes back on its data, and the phone ends with exactly the host's events", async () => {
      s = await setUp(longTask("kill"));
      const threadId = randomId(12);
      await s.phone.send({ type: "new-task", threadId, text: "Count, then write a file" });
      await s.phone.waitFor(threadId, (e) => e.type === "tool-call" && e.tool === "run_command", 30_000);

      const killedAt = Date.now();
      process.kill(-s.relay.child.pid!, "SIGKILL");
      await new Promise((r) => s!.relay.child.once("exit", r));
      // The run goes on without the relay for a second (the outage, kept on purpose); its events wait on the host.
      await new Promise((r) => setTimeout(r, 1_000));
      s.relay = startRelayProc(s.tmp, s.port);
      await s.relay.waitFor(/listening on/);
      const restartedAt = Date.now();

      await s.host.waitFor(/"Count, then write a file" done/, 60_000);
      const hostSide = await hostEventsDone(join(s.tmp, "host"), s.workspace, threadId);

      // What the phone holds: what was pushed live before the relay went, then, connected
      // again, a catch-up from its last contiguous seq.
      const held = new Map<number, string>();
      const pushed = s.phone.events(threadId).length;
      merge(held, s.phone.events(threadId));
      // The host finished on its own; it hands the relay what it missed once it is back, so
      // the phone asks again (as the app does on every reconnect) until it has all of it.
      const caughtUp = await reconnectUntilHeld(s, threadId, held, hostSide.length);
      assertSameAsHost(held, hostSide);
      const last = JSON.parse(held.get(Math.max(...held.keys()))!) as ThreadEvent;
      assert.ok(last.type === "status" && last.status === "done", `the thread ended ${JSON.stringify(last)}`);
      console.log(
        `      SIGKILL at +0 ms, back at +${restartedAt - killedAt} ms; ${hostSide.length} events on the host, ` +
          `${pushed} pushed live, ${caughtUp} caught up, none lost or twice`,
      );
    });
  });

  describe("a host that is away", () => {
    let s: Setup | undefined;
    after(() => tearDown(s));

    it("gets the three commands its phone sent meanwhile, in order, once each", async () => {
      const finish = (n: number): FakeStep<OpenAIBody> => ({ toolCalls: [{ name: "finish", args: { summary: `task ${n}` } }] });
      s = await setUp([finish(1), finish(2), finish(3)]);
      await s.host.stop();
      const ids = [randomId(12), randomId(12), randomId(12)];
      const commandIds = ids.map(() => randomId());
      for (const [i, threadId] of ids.entries()) {
        const sent = await s.phone.send({ type: "new-task", threadId, text: `queued task ${i + 1}` }, commandIds[i]);
        assert.equal(sent.queued, true, "the relay should keep the command for the offline host");
      }
      // The second sent again with its id, as a phone retrying after a lost answer would.
      const again = await s.phone.send({ type: "new-task", threadId: ids[1]!, text: "queued task 2" }, commandIds[1]);
      assert.equal(again.queued, true);

      s.host = startHostProc(s, false);
      const host = s.host;
      const relay = s.relay;
      // Generous: a loaded machine may take a while to start the host and hand it the inbox.
      // A miss prints what the host and the relay said, to tell a lost command from a slow one.
      for (const id of ids) {
        await s.phone
          .waitFor(id, (e) => e.type === "status" && e.status === "done", 60_000)
          .catch((err: Error) => {
            throw new Error(
              `${err.message}\n--- host ---\n${host.output()}\n--- relay (last lines) ---\n${relay.output().slice(-6000)}`,
            );
          });
      }
      // The host took them in the order sent, each once (the repeated id was not applied again).
      const taken = [...s.host.output().matchAll(/Task from fault phone: "(queued task \d)"/g)].map((m) => m[1]);
      assert.deepEqual(taken, ["queued task 1", "queued task 2", "queued task 3"]);
      const store = new ThreadStore(workspaceStateDir(join(s.tmp, "host"), s.workspace), quiet);
      for (const [i, id] of ids.entries()) {
        const first = store.events(id)[0]?.event;
        assert.ok(first?.type === "task" && first.text === `queued task ${i + 1}`, JSON.stringify(first));
      }
      // Each ran once: the model was asked three times, no more.
      assert.equal(s.model.requests.length, 3);
    });
  });

  describe("a phone that reconnects a thousand times during a run", () => {
    let s: Setup | undefined;
    after(() => tearDown(s));

    it("ends with the host's exact events", async () => {
      s = await setUp(longTask("storm"));
      const threadId = randomId(12);
      await s.phone.send({ type: "new-task", threadId, text: "Count through a storm" });
      s.phone.close();

      // Each reconnect does what the app does: authenticate, and every tenth time catch up.
      const held = new Map<number, string>();
      const started = Date.now();
      let reconnects = 0;
      for (; reconnects < 1_000; reconnects++) {
        const socket = connect(s.relayUrl, { token: s.phone.token });
        const hello = once(socket, "hello");
        await connected(socket);
        await hello;
        if (reconnects % 10 === 0) await catchUp(socket, s.phone, threadId, held);
        socket.close();
      }
      const stormMs = Date.now() - started;
      await s.host.waitFor(/"Count through a storm" done/, 60_000);
      const hostSide = await hostEventsDone(join(s.tmp, "host"), s.workspace, threadId);
      // And the relay has the last events a moment after that: catch up until the phone holds them all.
      await reconnectUntilHeld(s, threadId, held, hostSide.length);
      assertSameAsHost(held, hostSide);
      // The relay is still up and answering.
      const health = await fetch(`${s.relayUrl}/healthz`);
      assert.equal(health.status, 200);
      console.log(
        `      ${reconnects} reconnects in ${stormMs} ms (${(stormMs / reconnects).toFixed(1)} ms each); ${hostSide.length} events, identical`,
      );
    });
  });
});

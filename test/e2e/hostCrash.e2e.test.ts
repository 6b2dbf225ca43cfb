// `tether-host` killed and stopped as a machine does it to a process: killed with SIGKILL right
// after it acknowledged a command, it does not apply that command again when the phone sends it
// once more after the restart; stopped with SIGTERM in the middle of a run, it writes the run's
// end before it exits. Real relay and host processes from dist/, the model behind a scripted
// OpenAI-compatible server.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomId, type ThreadEvent } from "#protocol";
import { ThreadStore, workspaceStateDir } from "../../extension/core/threads/threadStore";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../support/fakeModels";
import { pairPhone, type PairedPhone } from "../support/phone";
import { start, type Proc } from "../support/processes";
import { makeWorkspace } from "../support/workspace";

const DIST = join(__dirname, "..", "..", "dist");
const quiet = { info() {}, warn() {}, error() {} };

describe("tether-host killed or stopped (processes)", function () {
  this.timeout(90_000);
  let tmp: string;
  let workspace: string;
  let relay: Proc;
  let host: Proc | undefined;
  let model: FakeModelServer<OpenAIBody>;
  let phone: PairedPhone | undefined;

  const startHost = (pair: boolean): Proc => {
    const args = [join(DIST, "host.js"), "--relay", relayUrl, "--folder", workspace, "--name", "crash"];
    args.push("--state-dir", join(tmp, "host"), "--model", "openai:crash-model", "--base-url", model.url);
    args.push("--mode", "ask", "--no-keep-awake");
    if (pair) args.push("--pair", "--accept-pairing");
    return start("node", args, { env: { OPENAI_API_KEY: "", TETHER_MODEL: "" } });
  };
  const diskEvents = (threadId: string): ThreadEvent[] =>
    new ThreadStore(workspaceStateDir(join(tmp, "host"), workspace), quiet).events(threadId).map((n) => n.event);
  let relayUrl = "";

  beforeEach(async () => {
    if (!existsSync(join(DIST, "host.js")) || !existsSync(join(DIST, "relay.js"))) {
      throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    }
    tmp = mkdtempSync(join(tmpdir(), "tether-crash-"));
    workspace = realpathSync(makeWorkspace({ "notes.md": "# Notes\n" }));
    model = await startFakeOpenAI();
    relay = start("node", [join(DIST, "relay.js"), "--port", "0", "--data-dir", join(tmp, "relay")]);
    relayUrl = (await relay.waitFor(/listening on (http:\/\/\S+)/))[1]!;
    host = startHost(true);
    phone = await pairPhone((await host.waitFor(/(http:\/\/\S+#pair=\S+)/))[1]!, "crash phone");
  });

  afterEach(async () => {
    phone?.close();
    await host?.stop();
    await relay?.stop();
    await model?.close();
    rmSync(tmp, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  const killHost = async (): Promise<void> => {
    const proc = host!;
    const exited = new Promise((resolve) => proc.child.once("exit", resolve));
    process.kill(-proc.child.pid!, "SIGKILL");
    await exited;
  };

  it("killed with SIGKILL right after acknowledging a message, does not apply it again when it comes again", async () => {
    model.push({ toolCalls: [{ name: "finish", args: { summary: "first" } }] });
    const threadId = randomId(12);
    await phone!.send({ type: "new-task", threadId, text: "Say hello" });
    await phone!.waitFor(threadId, (e) => e.type === "status" && e.status === "done", 30_000);

    // The message re-opens the thread; its run waits on the model, so nothing else is written meanwhile.
    model.push({ text: "thinking about it", delayMs: 60_000 });
    const commandId = randomId();
    const first = await phone!.send({ type: "message", threadId, text: "and goodbye" }, commandId);
    assert.equal(first.queued, false, "the host applied and acknowledged it");
    await killHost();

    host = startHost(false);
    await host.waitFor(/connected to the relay/, 30_000);
    // A phone that lost the answer sends the same command id again.
    const again = await phone!.send({ type: "message", threadId, text: "and goodbye" }, commandId);
    assert.equal(again.queued, false);
    const messages = diskEvents(threadId).filter((e) => e.type === "user-message");
    assert.equal(messages.length, 1, `applied ${messages.length} times`);
    // The run the kill cut short ended as interrupted on restart, and nothing started it again.
    const last = diskEvents(threadId).at(-1);
    assert.ok(last?.type === "status" && last.status === "stopped", JSON.stringify(last));
  });

  it("killed after writing a message's event but before its id, does not apply it again when it comes again", async () => {
    model.push({ toolCalls: [{ name: "finish", args: { summary: "first" } }] });
    const threadId = randomId(12);
    await phone!.send({ type: "new-task", threadId, text: "Say hello" });
    await phone!.waitFor(threadId, (e) => e.type === "status" && e.status === "done", 30_000);

    model.push({ text: "thinking about it", delayMs: 60_000 });
    const commandId = randomId();
    await phone!.send({ type: "message", threadId, text: "and goodbye" }, commandId);
    await killHost();
    // What a kill between the two writes leaves: the message's event on disk, its id not in
    // applied.jsonl (the state writer writes thread events first).
    const appliedPath = join(workspaceStateDir(join(tmp, "host"), workspace), "applied.jsonl");
    const lines = readFileSync(appliedPath, "utf8").split("\n");
    const kept = lines.filter((line) => !line.includes(commandId));
    assert.equal(kept.length, lines.length - 1, "the id was in applied.jsonl before it was taken out");
    writeFileSync(appliedPath, kept.join("\n"));

    host = startHost(false);
    await host.waitFor(/connected to the relay/, 30_000);
    const again = await phone!.send({ type: "message", threadId, text: "and goodbye" }, commandId);
    assert.equal(again.queued, false);
    const messages = diskEvents(threadId).filter((e) => e.type === "user-message");
    assert.equal(messages.length, 1, `applied ${messages.length} times`);
  });

  it("stopped with SIGTERM in the middle of a run, writes the run's end before it exits", async () => {
    model.push({ toolCalls: [{ name: "run_command", args: { command: "echo never", reason: "wait" } }] });
    const threadId = randomId(12);
    await phone!.send({ type: "new-task", threadId, text: "Wait for approval" });
    await phone!.waitFor(threadId, (e) => e.type === "approval-requested", 30_000);
    await host!.stop(); // SIGTERM, then waits for the exit
    const events = diskEvents(threadId);
    const last = events.at(-1);
    assert.ok(last?.type === "status" && last.status === "stopped", JSON.stringify(last));
    assert.match(last.detail ?? "", /host shut down/);
    assert.ok(events.some((e) => e.type === "approval-resolved" && e.decision === "stop"));
  });
});

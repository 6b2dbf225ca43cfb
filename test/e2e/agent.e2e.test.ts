// `tether-host --model …` as a user runs it: real relay and host processes from dist/, the
// model behind a scripted OpenAI-compatible server, and a phone client that pairs through the
// printed link, sends a task, approves its command and reads the result. Then the relay's
// files and logs, and every byte it sent to the host and the phone (recorded by a tap between
// them and the relay), are searched for anything the task said or touched.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomId } from "#protocol";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../support/fakeModels";
import { pairPhone, type PairedPhone } from "../support/phone";
import { start, type Proc } from "../support/processes";
import { scanWire, startWireTap, type WireTap } from "../support/wireTap";
import { makeWorkspace } from "../support/workspace";

const DIST = join(__dirname, "..", "..", "dist");
const PROMPT_MARKER = "quokka-rate-limit-7731";
const FILE_MARKER = "wombat_subscribe.js";
const COMMAND_MARKER = "echo platypus-check-5512";
const OUTPUT_MARKER = "platypus-check-5512";

describe("tether-host runs a task from a phone (processes)", function () {
  this.timeout(90_000);
  let tmp: string;
  let workspace: string;
  let relay: Proc;
  let tap: WireTap;
  let host: Proc;
  let model: FakeModelServer<OpenAIBody>;
  let phone: PairedPhone | undefined;

  before(async () => {
    if (!existsSync(join(DIST, "host.js")) || !existsSync(join(DIST, "relay.js"))) {
      throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    }
    tmp = mkdtempSync(join(tmpdir(), "tether-agent-e2e-"));
    workspace = makeWorkspace({ [`src/${FILE_MARKER}`]: "export const perMinute = 10;\n" });
    model = await startFakeOpenAI([
      { text: `Reading ${FILE_MARKER}.`, toolCalls: [{ name: "read_file", args: { path: `src/${FILE_MARKER}` } }] },
      {
        toolCalls: [
          { name: "edit_file", args: { path: `src/${FILE_MARKER}`, old_text: "perMinute = 10", new_text: "perMinute = 5" } },
        ],
      },
      { toolCalls: [{ name: "run_command", args: { command: COMMAND_MARKER, reason: "prove it runs" } }] },
      { toolCalls: [{ name: "finish", args: { summary: `Set perMinute to 5 in ${FILE_MARKER}.` } }] },
    ]);
    relay = start("node", [join(DIST, "relay.js"), "--port", "0", "--data-dir", join(tmp, "relay"), "--log-format", "json"]);
    const relayUrl = (await relay.waitFor(/listening on (http:\/\/\S+)/))[1]!;
    // The host and the phone reach the relay only through the tap, which keeps every byte.
    tap = await startWireTap(Number(new URL(relayUrl).port));
    host = start(
      "node",
      [
        join(DIST, "host.js"),
        "--relay",
        tap.url,
        "--folder",
        workspace,
        "--name",
        "e2e-agent",
        "--state-dir",
        join(tmp, "host"),
        "--model",
        "openai:e2e-model",
        "--base-url",
        model.url,
        "--mode",
        "auto-edit",
        "--pair",
        "--accept-pairing",
      ],
      { env: { OPENAI_API_KEY: "", TETHER_MODEL: "" } },
    );
    await host.waitFor(/Model openai:e2e-model · mode auto-edit/);
  });

  after(async () => {
    phone?.close();
    await host?.stop();
    await tap?.close();
    await relay?.stop();
    await model?.close();
    rmSync(tmp, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  it("pairs, runs the task with an approval from the phone, and the relay stores none of it in the clear", async () => {
    const link = (await host.waitFor(/(http:\/\/\S+#pair=\S+)/))[1]!;
    assert.equal(new URL(link).origin, tap.url, "the phone pairs through the tap");
    phone = await pairPhone(link, "e2e phone");
    const threadId = randomId(12);
    const sent = await phone.send({ type: "new-task", threadId, text: `Lower the limit (${PROMPT_MARKER})` });
    assert.equal(sent.queued, false);

    const asked = await phone.waitFor(threadId, (e) => e.type === "approval-requested", 30_000);
    assert.ok(asked.type === "approval-requested");
    assert.equal(asked.command, COMMAND_MARKER);
    // The terminal says why, in the gate's words, as the phone's card does.
    await host.waitFor(/waiting for approval to run: echo platypus\S*\n {4}You chose Auto-edit: commands need your OK\./);
    assert.equal(asked.type === "approval-requested" && asked.rule, "mode auto-edit: commands ask");
    await phone.send({ type: "decide", threadId, approvalId: asked.approvalId, decision: "approve" });
    const end = await phone.waitFor(threadId, (e) => e.type === "status" && ["done", "failed"].includes(e.status), 30_000);
    assert.ok(end.type === "status" && end.status === "done", `ended ${JSON.stringify(end)}`);
    assert.equal(readFileSync(join(workspace, "src", FILE_MARKER), "utf8"), "export const perMinute = 5;\n");
    const result = phone.events(threadId).find((o) => o.event.type === "tool-result" && o.event.tool === "run_command");
    assert.ok(result?.event.type === "tool-result" && result.event.output.includes(OUTPUT_MARKER));
    await host.waitFor(/"Lower the limit \(quokka-rate-limit-7731\)" done/);

    const markers = [PROMPT_MARKER, FILE_MARKER, COMMAND_MARKER, OUTPUT_MARKER, "perMinute"];
    // Blind relay: not the prompt, the file name, the command nor its output, anywhere it keeps or logs.
    const relayFiles = readdirSync(join(tmp, "relay")).map((f) => readFileSync(join(tmp, "relay", f)).toString("latin1"));
    for (const marker of markers) {
      for (const text of [...relayFiles, relay.output()]) assert.ok(!text.includes(marker), `the relay holds "${marker}"`);
    }

    // Nor in anything it sent. The phone and the host go first, so every byte they were ever sent is in.
    const phoneEvents = phone.events(threadId).length;
    const hostId = phone.hostId;
    phone.close();
    await host.stop();
    await tap.whenIdle();
    // The names of the computer and the phone are sealed too (in the profile and pairing records).
    const wire = scanWire(tap.connections, [...markers, "e2e-agent", "e2e phone"]);
    console.log(
      `      wire: ${wire.connections} connections; relay sent ${wire.bytesFromServer} bytes in ${wire.httpResponses} HTTP ` +
        `responses (${wire.upgrades} WebSocket upgrades, ${wire.deflateOffers} offered permessage-deflate, ` +
        `${wire.deflateUpgrades} agreed) and ${wire.framesFromServer} frames (${wire.messagesFromServer} messages); ` +
        `clients sent ${wire.bytesFromClient} bytes in ${wire.framesFromClient} frames; ${wire.hits.length} marker hits`,
    );
    // The scan reads what was sent: the WebSocket frames are not compressed and every byte parsed.
    assert.ok(wire.upgrades >= 3, `host, pairing phone and phone each upgraded (saw ${wire.upgrades})`);
    assert.equal(wire.deflateUpgrades, 0, "the relay agreed to permessage-deflate: compressed frames would hide from the scan");
    assert.equal(wire.compressedFrames, 0);
    assert.equal(wire.leftoverBytes, 0);
    // It cannot pass by recording nothing: what must cross the wire is there.
    assert.ok(wire.bytesFromServer > 4096, `only ${wire.bytesFromServer} bytes recorded from the relay`);
    assert.ok(wire.serverSent(hostId) && wire.serverSent(threadId), "the host and thread ids are in what the relay sent");
    const pushed = wire.serverMessages.filter((m) => m.startsWith('42["event",')).length;
    assert.ok(
      pushed >= phoneEvents && phoneEvents > 0,
      `${pushed} "event" packets on the wire, ${phoneEvents} opened by the phone`,
    );
    assert.deepEqual(wire.hits, [], "the relay sent or was sent something from the task in the clear");
  });
});

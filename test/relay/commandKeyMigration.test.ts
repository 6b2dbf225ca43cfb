// Pairings made before command keys existed: a host state file without them, a phone record
// without one, commands the old app left in the relay's inbox, and applied ids remembered
// without a time. Real relay, real host core, the phone's own code.

import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomId, seal, sealContext, type Command } from "#protocol";
import { workspaceStateDir } from "../../extension/core/threads/threadStore";
import { withCommandKey } from "../../mobile-web/src/hosts/commandKey";
import { sendCommand } from "../../mobile-web/src/link/commands";
import type { HostRecord } from "../../mobile-web/src/store/records";
import { startAgentHost, type AgentHost } from "../support/agentHost";
import { memoryLog } from "../support/host";
import { pairPhone, type PairedPhone } from "../support/phone";
import { startRelay, type TestRelay } from "../support/relay";
import { makeWorkspace } from "../support/workspace";
import { until } from "../support/wait";

describe("pairings from before command keys", function () {
  this.timeout(30_000);
  let relay: TestRelay;
  let workspace: string;
  let stateDir: string;
  let host: AgentHost | undefined;
  let phone: PairedPhone | undefined;

  beforeEach(async () => {
    relay = await startRelay();
    workspace = makeWorkspace({ "README.md": "# api\n" });
    stateDir = mkdtempSync(join(tmpdir(), "tether-migrate-"));
  });

  afterEach(async () => {
    phone?.close();
    await host?.stop();
    await relay.stop();
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  it("keep working: the host derives each phone's key from its state file, the phone on its next start", async () => {
    host = await startAgentHost({ relay: relay.url, folder: workspace, stateDir });
    phone = await pairPhone((await host.host.openPairing()).url, "Pixel 8");
    const { hostId, deviceId } = phone;
    // The host records the phone a moment after the relay tells the phone it paired.
    const first = host;
    await until("the host to record the phone", () => (first.identity.isPaired(relay.url, deviceId) ? true : undefined));
    await first.identity.flush();
    await host.stop();

    // The state file as hosts wrote it before: no revoked list, phones without an epoch.
    const statePath = join(stateDir, "host.json");
    const state = JSON.parse(readFileSync(statePath, "utf8")) as { revoked?: unknown; phones: Record<string, unknown>[] };
    delete state.revoked;
    state.phones = state.phones.map(({ epoch: _epoch, ...p }) => p);
    writeFileSync(statePath, JSON.stringify(state));
    assert.equal(statSync(statePath).mode & 0o777, 0o600);
    // An applied id remembered without a time, as applied.jsonl held them.
    const workspaceDir = workspaceStateDir(stateDir, workspace);
    mkdirSync(workspaceDir, { recursive: true });
    appendFileSync(join(workspaceDir, "applied.jsonl"), JSON.stringify({ id: "applied-before", reply: { ok: true } }) + "\n");
    assert.ok(existsSync(join(workspaceDir, "applied.jsonl")));

    // While the host is away, the old app seals a task the old way (the shared content key, no
    // time inside); the relay keeps it in the inbox.
    const oldThread = randomId(12);
    const oldId = randomId();
    const oldTask: Command = { type: "new-task", threadId: oldThread, text: "Sent before the update", mode: "ask" };
    const oldBox = await seal(phone.contentKey, phone.epoch, oldTask, sealContext.command(hostId, deviceId, oldId));
    const queued = await phone.socket.timeout(10_000).emitWithAck("command", { hostId, id: oldId, box: oldBox });
    assert.ok(queued.ok && queued.queued, "kept for the sleeping host");

    // The upgraded host starts on the old file and refuses that command, saying why.
    const log = memoryLog();
    host = await startAgentHost({ relay: relay.url, folder: workspace, stateDir, log });
    const refused = await until("the old command's refusal", () =>
      log.entries.find((e) => e.message === "refused a command" && e.fields.command === oldId),
    );
    assert.deepEqual(refused.fields, { phone: deviceId, command: oldId, reason: "content-key" });
    assert.equal(host.threads.get(oldThread), undefined);
    assert.equal((await relay.store.inboxDepth(hostId)) === 0, true, "the refused command left the inbox");

    // The phone's record from before has no command key; its next start derives it.
    const before: HostRecord = {
      hostId,
      hostKey: phone.hostKey,
      epoch: phone.epoch,
      contentKey: phone.contentKey,
      profile: { name: "test-host", workspace: "api", platform: "linux", version: "0" },
      pairedAt: 0,
    };
    const after = await withCommandKey(before, phone.privateKey);
    assert.ok(after.commandKey && !after.commandKey.extractable);
    const target = { hostId, deviceId, commandKey: after.commandKey };
    const threadId = randomId(12);
    const sent = await sendCommand(phone.socket, target, { type: "new-task", threadId, text: "After the update", mode: "ask" });
    assert.equal(sent.queued, false);
    const task = host.threads.get(threadId)?.events[0]?.event;
    assert.ok(task?.type === "task" && task.by.name === "Pixel 8", "applied, as the phone's");

    // The id remembered without a time is still remembered: answered, not applied again.
    const repeat = randomId(12);
    await sendCommand(
      phone.socket,
      target,
      { type: "new-task", threadId: repeat, text: "Again", mode: "ask" },
      { id: "applied-before" },
    );
    assert.equal(host.threads.get(repeat), undefined);
  });
});

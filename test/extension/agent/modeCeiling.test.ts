// The host's configured mode is a ceiling: a phone may ask for it or less, never more. Real
// relay, real host core (no model: a task that is taken fails at once, which is enough to see
// it was taken), a phone running the PWA's own command code.

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import {
  ErrorCode,
  hostProfileSchema,
  open,
  randomId,
  sealContext,
  type HostProfile,
  type PolicyMode,
  type TetherError,
} from "#protocol";
import { startAgentHost, type AgentHost } from "../../support/agentHost";
import { pairPhone, type PairedPhone } from "../../support/phone";
import { startRelay, type TestRelay } from "../../support/relay";
import { until } from "../../support/wait";
import { makeWorkspace } from "../../support/workspace";

describe("the host's mode as a ceiling", function () {
  this.timeout(30_000);
  let relay: TestRelay;
  let workspace: string;
  let host: AgentHost;
  let phone: PairedPhone;

  beforeEach(async () => {
    relay = await startRelay();
    workspace = makeWorkspace({ "README.md": "# api\n" });
    host = await startAgentHost({ relay: relay.url, folder: workspace, mode: "ask" });
    phone = await pairPhone((await host.host.openPairing()).url, "Pixel 8");
  });

  afterEach(async () => {
    phone.close();
    await host.stop();
    await relay.stop();
    rmSync(host.stateDir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  const modeOf = (threadId: string): PolicyMode | undefined => {
    const task = host.threads.get(threadId)?.events[0]?.event;
    return task?.type === "task" ? task.mode : undefined;
  };

  it("refuses a task that asks for more than an `ask` host allows, with a message the phone shows", async () => {
    for (const mode of ["full-auto", "auto-edit"] as const) {
      const threadId = randomId(12);
      await assert.rejects(phone.send({ type: "new-task", threadId, text: "Ship it", mode }), (e: TetherError) => {
        assert.equal(e.code, ErrorCode.Forbidden);
        assert.equal(e.message, `This computer allows tasks up to "ask"; "${mode}" asks for more. Choose "ask" or less.`);
        return true;
      });
      assert.equal(host.threads.get(threadId), undefined, `no ${mode} thread, not even a lowered one`);
    }
  });

  it("runs a task in the mode it asked for at or below the ceiling, and in the host's own without one", async () => {
    const runs: [PolicyMode | undefined, PolicyMode][] = [
      ["read-only", "read-only"],
      ["ask", "ask"],
      [undefined, "ask"],
    ];
    for (const [asked, expected] of runs) {
      const threadId = randomId(12);
      await phone.send({ type: "new-task", threadId, text: "Read the README", ...(asked ? { mode: asked } : {}) });
      assert.equal(modeOf(threadId), expected);
    }
  });

  it("tells the phone its ceiling in the sealed host profile", async () => {
    const profile = await until("the host profile on the relay", async (): Promise<HostProfile | undefined> => {
      const page = await phone.socket.timeout(5000).emitWithAck("sync", { hostId: phone.hostId, cursors: {} });
      if (!page.ok) throw new Error(page.message);
      const record = page.records.find((r: { key: string }) => r.key === "profile");
      if (!record) return undefined;
      return hostProfileSchema.parse(await open(phone.contentKey, record.box, sealContext.record(phone.hostId, "profile")));
    });
    assert.equal(profile.maxMode, "ask");
  });
});

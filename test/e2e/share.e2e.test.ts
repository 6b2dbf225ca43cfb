// Sharing one thread read-only, end to end: the owner's phone makes a link, a second browser with
// no pairing opens it and sees that thread only, live; after the owner revokes the link it gets
// nothing new. The relay's store and every byte through a wire tap hold none of it in the clear.

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { randomId } from "#protocol";
import { parseShareFragment, shareToken } from "#protocol/share";
import { startAgentHost, type AgentHost } from "../support/agentHost";
import { AxeAudit } from "../support/axe";
import { launchChromium, phoneContext } from "../support/browser";
import { themedShots } from "../support/phoneStack";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../support/fakeModels";
import { startRelay, type TestRelay } from "../support/relay";
import { scanWire, startWireTap, type WireTap } from "../support/wireTap";
import { makeWorkspace } from "../support/workspace";

const WEB = join(__dirname, "..", "..", "dist", "mobile-web");
const editor = { id: "editor", name: "VS Code" };
const finish = (summary: string) => ({ toolCalls: [{ name: "finish", args: { summary } }] });

const SHARED_TASK = "Explain the wombat cache";
const SHARED_DONE = "Done: numbat-summary-4471.";
const LIVE_WORDS = "quokka-follow-up-9931";
const AFTER_REVOKE = "bilby-after-revoke-2207";
const OTHER_TASK = "Rotate the platypus keys";
const OTHER_DONE = "Done: echidna-secret-6610.";

describe("end to end: a thread shared read-only", function () {
  this.timeout(120_000);
  let relay: TestRelay;
  let tap: WireTap;
  let model: FakeModelServer<OpenAIBody>;
  let host: AgentHost;
  let workspace: string;
  let browser: Browser;
  let owner: BrowserContext;
  let viewer: BrowserContext;
  let phone: Page;
  let view: Page;
  let stopped = false;

  before(async () => {
    relay = await startRelay({ webDir: WEB });
    tap = await startWireTap(Number(new URL(relay.url).port));
    model = await startFakeOpenAI();
    workspace = makeWorkspace({ "README.md": "# api-service\n" });
    host = await startAgentHost({ relay: tap.url, folder: workspace, modelUrl: model.url, name: "Studio Mac" });
    browser = await launchChromium();
    owner = await phoneContext(browser);
    viewer = await phoneContext(browser);
    phone = await owner.newPage();
    view = await viewer.newPage();
  });

  after(async () => {
    await browser?.close();
    if (!stopped) await host?.stop();
    await tap?.close();
    await relay?.stop();
    await model?.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  async function finishedTask(title: string, done: string): Promise<string> {
    model.push(finish(done));
    const threadId = randomId(12);
    host.threads.newTask({ threadId, text: title }, editor);
    await host.threads.whenIdle();
    await phone.getByTestId("thread-row").filter({ hasText: title }).waitFor();
    return threadId;
  }

  it("opens that thread only, live, and nothing new after the owner revokes it", async () => {
    await phone.goto((await host.host.openPairing()).url);
    await phone.getByTestId("threads").waitFor();
    const shared = await finishedTask(SHARED_TASK, SHARED_DONE);
    const other = await finishedTask(OTHER_TASK, OTHER_DONE);

    // The owner shares the thread from its screen.
    await phone.getByTestId("thread-row").filter({ hasText: SHARED_TASK }).click();
    await phone.getByTestId("share-toggle").click();
    await phone.getByTestId("share-create").click();
    const linkText = await phone.getByTestId("share-link").inputValue();
    const link = parseShareFragment(linkText);
    assert.ok(link, `not a share link: ${linkText}`);
    assert.equal(link.threadId, shared);
    await phone.getByTestId("share-panel").scrollIntoViewIfNeeded();
    const axe = new AxeAudit();
    await themedShots(phone, "share", "owner-panel", axe);
    assert.equal(axe.report(), "", "the owner's share panel");
    axe.found.clear();

    // A browser that never paired opens the link: the thread, who shares it, nothing to send with.
    await view.goto(linkText);
    await view.getByTestId("share-banner").filter({ hasText: "Shared read-only by Studio Mac" }).waitFor();
    await view.getByTestId("share-title").filter({ hasText: SHARED_TASK }).waitFor();
    await view.getByText(SHARED_DONE.replace("Done: ", "")).first().waitFor();
    assert.equal(await view.getByRole("textbox").count(), 0, "the viewer has nowhere to type");
    assert.equal(await view.getByRole("button", { name: /approve|allow|deny|send|stop/i }).count(), 0);
    assert.equal(await view.getByText(OTHER_TASK).count(), 0);
    await themedShots(view, "share", "viewer", axe);

    // Live: what happens next in the thread reaches the viewer without a reload.
    model.push(finish("Done: again."));
    host.threads.message(shared, LIVE_WORDS, editor);
    await view.getByText(LIVE_WORDS).first().waitFor({ timeout: 15_000 });
    await host.threads.whenIdle();
    // The other thread moves too, and shows nowhere on the viewer.
    model.push(finish("Done: other again."));
    host.threads.message(other, "other thread words", editor);
    await host.threads.whenIdle();

    // The owner revokes: the relay refuses the link at once and the viewer says so.
    await phone.getByTestId("share-revoke").click();
    await phone.getByTestId("share-link-row").waitFor({ state: "detached" });
    await view.getByTestId("share-ended").waitFor({ timeout: 15_000 });
    model.push(finish("Done: after."));
    host.threads.message(shared, AFTER_REVOKE, editor);
    await host.threads.whenIdle();
    await phone.getByText(AFTER_REVOKE).first().waitFor();
    await view.reload();
    await view.getByTestId("share-ended").waitFor();
    assert.equal(await view.getByText(AFTER_REVOKE).count(), 0);
    assert.equal(await view.getByText("other thread words").count(), 0);
    await themedShots(view, "share", "revoked", axe);
    assert.equal(axe.report(), "", "the viewer's page");

    // The relay refuses the token itself, whoever asks.
    const { io } = await import("socket.io-client");
    const token = await shareToken(link.secret);
    const refused = await new Promise<string | undefined>((resolve) => {
      const s = io(relay.url, { auth: { v: 1, share: token }, transports: ["websocket"], reconnection: false, forceNew: true });
      s.on("connect", () => {
        s.close();
        resolve(undefined);
      });
      s.on("connect_error", (err: Error & { data?: { code?: string } }) => {
        s.close();
        resolve(err.data?.code);
      });
    });
    assert.equal(refused, "unauthorized");

    // No plaintext of either thread at rest on the relay or on the wire.
    const markers = [
      SHARED_TASK,
      "numbat-summary-4471",
      LIVE_WORDS,
      AFTER_REVOKE,
      OTHER_TASK,
      "echidna-secret-6610",
      link.secret,
      token,
    ];
    const db = new Database(join(relay.dataDir, "relay.sqlite"), { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      const dump = tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).all())).join("\n");
      assert.ok(dump.includes(shared), "the store holds the shared thread's id (routing metadata)");
      for (const marker of markers) assert.ok(!dump.includes(marker), `the relay's store holds "${marker}"`);
    } finally {
      db.close();
    }
    // Everything through the tap is read whole once every connection has ended; the phone's
    // service worker has fetched all it caches first (a body cut off half way cannot be read).
    await phone.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await phone.waitForLoadState("networkidle");
    await view.waitForLoadState("networkidle");
    await owner.close();
    await viewer.close();
    await host.stop();
    stopped = true;
    await tap.whenIdle();
    assert.ok(tap.connections.length >= 3, "the owner's phone, the viewer and the host went through the tap");
    const wire = scanWire(tap.connections, markers.slice(0, -1));
    assert.ok(wire.bytesFromServer > 4096, `only ${wire.bytesFromServer} bytes recorded from the relay`);
    assert.deepEqual(wire.hits, [], "the relay sent or was sent something of the threads in the clear");
  });
});

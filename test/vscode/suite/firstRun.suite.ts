// Runs inside VS Code (phase "first-run", see ../firstRun.vscode.test.ts): a fresh editor whose
// configured relay does not answer. The walkthrough's steps tick as the person gets a local relay,
// pairs a phone in Chromium through it and starts a task; the Devices view shows the phone with
// its icon and the status bar stays short.

import assert from "node:assert/strict";
import * as vscode from "vscode";
import type { ThreadStatus, ThreadSummary } from "#protocol";
import { relayAnswers } from "../../../extension/vscode/localRelay";
import { DeviceItem } from "../../../extension/vscode/views/devicesView";
import { ThreadItem } from "../../../extension/vscode/views/threadsView";
import { until } from "../../support/wait";
import { desk, onlyInPhase } from "../support/desk";

const WALKTHROUGH = "tether.tether#tether.firstRun";
type ShowMessage = (message: string, ...rest: unknown[]) => Thenable<unknown>;

/** The walkthrough's steps by their own id (`tether.relay`…), open in the editor. */
async function steps(): Promise<Record<string, boolean>> {
  await vscode.commands.executeCommand("workbench.action.openWalkthrough", WALKTHROUGH, false);
  const found = await desk.walkthroughSteps();
  return Object.fromEntries(found.filter((s) => s.id.startsWith(`${WALKTHROUGH}#`)).map((s) => [s.id.split("#").pop()!, s.done]));
}

async function stepDone(step: string, ms = 20_000): Promise<void> {
  let all: Record<string, boolean> = {};
  await until(`the walkthrough step ${step} done`, async () => (all = await steps())[step], ms).catch((err: Error) => {
    throw new Error(`${err.message}: ${JSON.stringify(all)}`);
  });
}

/**
 * Records every notification with its buttons. A modal prompt offering `answer` gets it, as does
 * an ordinary notification offering one of `click`; nothing else is clicked.
 */
function recordMessages(answer: string, click: string[] = []): { said: string[]; restore(): void } {
  type Shown = "showInformationMessage" | "showWarningMessage" | "showErrorMessage";
  const window = vscode.window as unknown as Record<Shown, ShowMessage>;
  const kinds: Shown[] = ["showInformationMessage", "showWarningMessage", "showErrorMessage"];
  const originals = kinds.map((kind) => [kind, window[kind]] as const);
  const said: string[] = [];
  const record: ShowMessage = (message, ...rest) => {
    const [options, ...items] = rest as [{ modal?: boolean } | string | undefined, ...unknown[]];
    said.push([message, ...rest.filter((r) => typeof r === "string")].join(" | "));
    if (typeof options === "object" && options?.modal) return Promise.resolve(items.includes(answer) ? answer : undefined);
    return Promise.resolve(click.find((label) => rest.includes(label)));
  };
  for (const kind of kinds) window[kind] = record;
  return { said, restore: () => originals.forEach(([kind, original]) => (window[kind] = original)) };
}

/** Screenshots of the workbench as it is, as `name`-dark and `name`-light. */
async function inBothThemes(name: string): Promise<void> {
  const settings = vscode.workspace.getConfiguration();
  for (const [theme, scheme] of [
    ["Default Dark Modern", "dark"],
    ["Default Light Modern", "light"],
  ]) {
    await settings.update("workbench.colorTheme", theme, vscode.ConfigurationTarget.Global);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await desk.screenshotAs(`${name}-${scheme}`);
  }
  await settings.update("workbench.colorTheme", undefined, vscode.ConfigurationTarget.Global);
}

describe("Tether in VS Code: first run", function () {
  this.timeout(90_000);
  let configured: string;

  before(onlyInPhase("first-run"));
  before(() => {
    configured = vscode.workspace.getConfiguration("tether").get<string>("relayUrl")!;
  });

  it("builds Devices view items with a phone icon coloured by presence and the last seen", () => {
    const now = Date.now();
    const phone = { id: "p1", name: "Pixel 8", relay: configured, pairedAt: now - 86_400_000 };
    const online = new DeviceItem({ ...phone, online: true, lastSeen: now } as never, now);
    const away = new DeviceItem({ ...phone, online: false, lastSeen: now - 5 * 60_000 } as never, now);
    for (const item of [online, away]) {
      assert.ok(item.iconPath instanceof vscode.ThemeIcon);
      assert.equal(item.iconPath.id, "device-mobile");
    }
    assert.equal((online.iconPath as vscode.ThemeIcon).color?.id, "charts.green");
    assert.equal((away.iconPath as vscode.ThemeIcon).color?.id, "disabledForeground");
    assert.equal(online.description, "online");
    assert.equal(away.description, "seen 5 min ago");
  });

  it("builds a Threads view item with an icon for every status", () => {
    const statuses: ThreadStatus[] = ["queued", "running", "awaiting-approval", "awaiting-answer", "done", "failed", "stopped"];
    for (const status of statuses) {
      const summary = { threadId: `t-${status}`, title: "A task", status, pending: [], model: "" } as unknown as ThreadSummary;
      const icon = new ThreadItem(summary).iconPath;
      assert.ok(icon instanceof vscode.ThemeIcon && icon.id.length > 0, `no icon for ${status}`);
    }
  });

  it("offers a local relay when none answers at the configured address", async () => {
    const offer = await desk.notification({ contains: "no relay answers at" });
    assert.match(offer, new RegExp(`no relay answers at ${configured.replace(/[.]/g, "\\.")}`));
    assert.match(offer, /Start a Local Relay/);
    await vscode.commands.executeCommand("notifications.clearAll");
  });

  it("opens the walkthrough with the relay, pairing and task steps to do", async () => {
    const all = await steps();
    assert.deepEqual(Object.keys(all), ["tether.model", "tether.relay", "tether.pair", "tether.notifications", "tether.task"]);
    assert.equal(all["tether.relay"], false);
    assert.equal(all["tether.pair"], false);
    assert.equal(all["tether.task"], false);
    assert.equal(await relayAnswers(configured), false, `a relay already answers at ${configured}`);
  });

  it("starts a local relay at the configured address and says a phone cannot open it yet; the relay step ticks", async () => {
    const messages = recordMessages("none");
    try {
      await vscode.commands.executeCommand("tether.startLocalRelay");
    } finally {
      messages.restore();
    }
    assert.equal(await relayAnswers(configured), true, `no relay answers at ${configured}`);
    const port = new URL(configured).port;
    const note = messages.said.find((m) => m.includes("local relay runs for this window"));
    assert.ok(note, messages.said.join("\n"));
    assert.match(note, new RegExp(`A phone cannot open it yet: 127\\.0\\.0\\.1:${port} is this computer's own address`));
    // This machine has neither Tailscale nor cloudflared: the README's ways, and pairing here.
    assert.match(note, /\| How to Reach a Phone \| Pair on This Computer$/);
    await stepDone("tether.relay");
  });

  it("pairs a phone in Chromium through the local relay; the pairing step ticks", async () => {
    const prompts = recordMessages("Pair");
    try {
      await vscode.commands.executeCommand("tether.pairPhone");
      const link = await desk.webviewText({ pattern: String.raw`https?://\S+#pair=[\w.~-]+` });
      assert.equal(new URL(link).origin, configured, "the pairing link is not the local relay's");
      // The phone stays open (online in the Devices view) until the window closes.
      await desk.phoneOpen({ url: link, screenshot: "vscode-first-run-phone", keepOpen: true });
      assert.ok(
        prompts.said.some((m) => m.startsWith('Pair "')),
        `the editor did not ask to pair: ${prompts.said.join("\n")}`,
      );
    } finally {
      prompts.restore();
      await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    }
    await stepDone("tether.pair");
  });

  it("ticks the first task step once a task starts", async () => {
    const threadId = await vscode.commands.executeCommand<string | undefined>("tether.newTask", "Say hello (first-run-1207)");
    assert.ok(threadId, "Tether: New Task started no task");
    await stepDone("tether.task");
    // The walkthrough as a person sees it, with the pairing step's picture, in both themes.
    await vscode.commands.executeCommand("workbench.action.closePanel");
    await vscode.commands.executeCommand("workbench.action.closeSidebar");
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    const step = { category: WALKTHROUGH, step: "tether.pair" };
    await vscode.commands.executeCommand("workbench.action.openWalkthrough", step, false);
    await inBothThemes("vscode-walkthrough");
  });

  it("shows the paired phone in the Devices view with its icon, and a short status bar entry", async () => {
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    await vscode.commands.executeCommand("workbench.view.extension.tether");
    await vscode.commands.executeCommand("workbench.action.closePanel");
    const [row] = await desk.viewRows({ view: "Devices" });
    assert.ok(row, "no phone in the Devices view");
    assert.match(row.icon, /codicon-device-mobile/);
    // The glyph is drawn (a blank square would be a missing font or icon, 0 wide or no class).
    assert.ok(row.iconWidth >= 12, `icon ${row.iconWidth} px wide`);
    assert.equal(row.label, "Chromium on Linux");
    assert.equal(row.description, "online");
    const bar = await desk.statusBar({ contains: "Tether", hover: true, screenshot: "vscode-status-tooltip" });
    assert.match(bar.text.trim(), /^Tether( · \d+ (waiting|running))?$/);
    // The detail is in the tooltip.
    assert.match(bar.tooltip ?? "", /connected to the relay/);
    assert.ok(bar.tooltip?.includes(`Relay: ${configured} (this window's own)`), bar.tooltip);
    assert.match(bar.tooltip ?? "", /Phones: Chromium on Linux \(online\)/);
    assert.match(bar.tooltip ?? "", /Tasks: none running/);
    await inBothThemes("vscode-devices");
  });
});

describe("Tether in VS Code: a local relay served with Tailscale", function () {
  this.timeout(60_000);
  let configured: string;

  before(onlyInPhase("first-run-tailscale"));
  before(() => {
    configured = vscode.workspace.getConfiguration("tether").get<string>("relayUrl")!;
  });

  it("starts on another port when the configured one is taken, runs tailscale serve for it when asked, and pairs through the tailnet's HTTPS name", async () => {
    const { tailnet } = (await desk.context()) as { tailnet?: string };
    const messages = recordMessages("Pair", ["Use Another Port", "Serve with Tailscale"]);
    const port = new URL(configured).port;
    try {
      await vscode.commands.executeCommand("tether.startLocalRelay");
      // Another program (not a relay) holds the configured port: said, and another port offered.
      assert.ok(
        messages.said.includes(
          `Tether could not start a local relay: port ${port} is in use by another program, which is not a Tether relay. | Use Another Port`,
        ),
        messages.said.join("\n"),
      );
      const offer = messages.said.find((m) => m.includes("A phone cannot open it yet"));
      assert.ok(offer, messages.said.join("\n"));
      const local = /runs for this window at (http:\/\/127\.0\.0\.1:(\d+))\./.exec(offer);
      assert.ok(local && local[2] !== port, offer);
      assert.match(offer, new RegExp(`Tailscale can serve it at https://${tailnet}`));
      assert.match(offer, /\| Serve with Tailscale \| Pair on This Computer$/);
      const served = messages.said.find((m) => m.includes("through Tailscale Serve"));
      assert.ok(served, messages.said.join("\n"));
      assert.match(served, new RegExp(`Phones reach the relay at https://${tailnet}, through Tailscale Serve\\.`));
      assert.match(served, /Only devices on your tailnet can reach that address\./);
      // The relay still listens here, where Tailscale forwards to.
      assert.equal(await relayAnswers(local[1]!), true);
      await vscode.commands.executeCommand("tether.pairPhone");
      const link = await desk.webviewText({ pattern: String.raw`https?://\S+#pair=[\w.~-]+` });
      assert.equal(new URL(link).origin, `https://${tailnet}`);
    } finally {
      messages.restore();
      await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    }
  });
});

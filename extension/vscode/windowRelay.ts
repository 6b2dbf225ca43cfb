// This window's own relay, behind "Tether: Start a Local Relay" (commands/startLocalRelay.ts):
// when no relay answers at the configured address, runs one for this window (localRelay.ts),
// points this window's host at it, and says how a phone reaches it: a relay on 127.0.0.1 opens
// only on this computer, so it offers what this machine has (Tailscale Serve, a cloudflared
// quick tunnel) or the README's ways, as `npm start` does.

import { join } from "node:path";
import * as vscode from "vscode";
import { phoneBlocker, waysOut } from "../headless/reach";
import { startTunnel, tunnelLines, type Tunnel } from "../headless/tunnel";
import type { HostSession } from "./hostSession";
import { LocalRelay, LocalRelayError, loopbackPort, relayAnswers, relayScript } from "./localRelay";
import { readSettings } from "./settings";

/** How long a host may try its relay before the window offers a local one. */
const OFFER_AFTER_MS = 5_000;

/** The README's ways for a machine with neither Tailscale nor cloudflared, as the editor offers them. */
export const EDITOR_OPTIONS = [
  "install Tailscale on this computer and the phone and log in, then run Tether: Start a Local Relay again",
  "install cloudflared (a free quick tunnel, no account), then run Tether: Start a Local Relay again",
  "run tether-relay behind your own HTTPS reverse proxy and set tether.relayUrl to its https:// address",
  "the same Wi-Fi is not enough: the phone's browser still needs HTTPS",
];

export class WindowRelay implements vscode.Disposable {
  private relay: LocalRelay | undefined;
  private tunnel: Tunnel | undefined;
  /** The window offered a local relay already (it does so once). */
  private offered = false;
  private readonly offer: vscode.Disposable;
  private readonly exit = (): void => this.relay?.stopNow();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly session: HostSession,
    private readonly channel: vscode.LogOutputChannel,
  ) {
    process.once("exit", this.exit);
    this.offer = session.onDidStart(({ host }) => {
      // Once a window, a few seconds after the host starts: a first run has nothing at the default address.
      setTimeout(() => {
        if (this.offered || this.relay || host.link.state === "open") return;
        void this.offerWhenUnreachable();
      }, OFFER_AFTER_MS).unref();
    });
  }

  private async offerWhenUnreachable(): Promise<void> {
    const url = this.session.relayUrl();
    if (await relayAnswers(url)) return;
    if (this.offered || this.relay) return;
    this.offered = true;
    this.channel.warn(`no relay answers at ${url}`);
    const pick = await vscode.window.showWarningMessage(
      `Tether: no relay answers at ${url}. Start one for this window, or set the address of yours.`,
      "Start a Local Relay",
      "Set Relay URL",
    );
    if (pick === "Start a Local Relay") await this.startForWindow();
    else if (pick === "Set Relay URL") void vscode.commands.executeCommand("workbench.action.openSettings", "tether.relayUrl");
  }

  /** The window's own relay, while it runs. */
  get url(): string | undefined {
    return this.relay?.running ? this.relay.url : undefined;
  }

  /** Errors are shown where they happen (a notification and the log); the command itself does not fail. */
  async startForWindow(): Promise<void> {
    await this.run().catch((err: unknown) => {
      if (!(err instanceof LocalRelayError)) void vscode.window.showErrorMessage(`Tether: ${(err as Error).message}`);
    });
  }

  private async run(): Promise<void> {
    if (this.relay?.running) return this.sayHowToReach();
    const configured = readSettings().relayUrl;
    const origin = URL.canParse(configured) ? new URL(configured).origin : configured;
    if (await relayAnswers(origin)) {
      const pick = await vscode.window.showInformationMessage(
        `Tether: the relay at ${origin} is up; this window already uses it.`,
        "Pair Phone",
        "Start a Local Relay Anyway",
      );
      if (pick === "Pair Phone") return void vscode.commands.executeCommand("tether.pairPhone");
      if (pick !== "Start a Local Relay Anyway") return;
    }
    // Unreachable but on this computer: take its port, so the setting stays right for next time.
    const port = loopbackPort(configured) ?? 0;
    const relay = await this.start(port).catch(async (err: unknown) => {
      if (!(err instanceof LocalRelayError) || !err.portInUse) throw err;
      const pick = await vscode.window.showErrorMessage(
        `Tether could not start a local relay: port ${port} is in use by another program, which is not a Tether relay.`,
        "Use Another Port",
      );
      return pick === "Use Another Port" ? this.start(0) : undefined;
    });
    if (!relay) return;
    await this.session.useRelay(relay.url);
    await this.sayHowToReach();
  }

  private async start(port: number, publicUrl?: string): Promise<LocalRelay> {
    try {
      this.relay = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: "Tether: starting a local relay…" },
        () =>
          LocalRelay.start({
            script: relayScript(this.context.extensionUri.fsPath),
            dataDir: join(this.context.globalStorageUri.fsPath, "relay"),
            port,
            ...(publicUrl ? { publicUrl } : {}),
          }),
      );
    } catch (err) {
      const message = (err as Error).message;
      this.channel.error(`local relay: ${message}`);
      if (!(err instanceof LocalRelayError && err.portInUse)) {
        void vscode.window.showErrorMessage(`Tether could not start a local relay: ${message}.`, "Show Log").then((pick) => {
          if (pick) this.channel.show();
        });
      }
      throw err;
    }
    this.channel.info(`local relay listening on ${this.relay.url}, data in ${this.context.globalStorageUri.fsPath}`);
    return this.relay;
  }

  /** Says where the relay runs and, when a phone cannot reach it, the ways out this computer has. */
  private async sayHowToReach(): Promise<void> {
    const relay = this.relay!;
    const phoneUrl = relay.publicUrl ?? relay.url;
    const blocked = phoneBlocker(phoneUrl);
    if (!blocked) {
      const lines = this.tunnel ? tunnelLines(this.tunnel) : [`Phones reach the relay at ${phoneUrl}.`];
      lines.forEach((line) => this.channel.info(line));
      const pick = await vscode.window.showInformationMessage(
        `Tether: a local relay runs for this window. ${lines.join(" ")}`,
        "Pair Phone",
      );
      if (pick) void vscode.commands.executeCommand("tether.pairPhone");
      return;
    }
    const ways = await waysOut();
    const actions = [
      ...(ways.tailscale ? ["Serve with Tailscale"] : []),
      ...(ways.cloudflared ? ["Open a Quick Tunnel"] : []),
      ...(ways.tailscale || ways.cloudflared ? [] : ["How to Reach a Phone"]),
      "Pair on This Computer",
    ];
    const offers = [
      ...(ways.tailscale ? [`Tailscale can serve it at https://${ways.tailscale} to your tailnet.`] : []),
      ...(ways.cloudflared ? ["cloudflared can give it a public https://….trycloudflare.com address."] : []),
      ...(ways.tailscale || ways.cloudflared
        ? ["The relay is blind: a public address exposes only ciphertext, never your code or keys."]
        : []),
    ];
    const said = `Tether: a local relay runs for this window at ${relay.url}. A phone cannot open it yet: ${blocked.reason}.`;
    this.channel.info(said);
    const pick = await vscode.window.showWarningMessage([said, ...offers].join(" "), ...actions);
    if (pick === "Serve with Tailscale") await this.expose("tailscale");
    else if (pick === "Open a Quick Tunnel") await this.expose("tunnel");
    else if (pick === "How to Reach a Phone") this.showOptions();
    else if (pick === "Pair on This Computer") void vscode.commands.executeCommand("tether.pairPhone");
  }

  /** Runs Tailscale Serve or a quick tunnel for the relay's port, and restarts the relay to name it in pairing links. */
  private async expose(kind: "tailscale" | "tunnel"): Promise<void> {
    const relay = this.relay!;
    try {
      const tunnel = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Tether: ${kind === "tailscale" ? "running tailscale serve" : "opening a quick tunnel"}…`,
        },
        () => startTunnel(kind, relay.port),
      );
      await this.tunnel?.stop();
      this.tunnel = tunnel;
      await relay.stop();
      await this.start(relay.port, tunnel.url);
      await this.session.useRelay(this.relay!.url);
    } catch (err) {
      this.channel.error(`local relay: ${(err as Error).message}`);
      void vscode.window.showErrorMessage(`Tether: ${(err as Error).message}`);
      return;
    }
    await this.sayHowToReach();
  }

  private showOptions(): void {
    this.channel.info('To pair a phone with this window\'s relay, one of these (README, "Reaching your phone"):');
    for (const line of EDITOR_OPTIONS) this.channel.info(`  - ${line}`);
    this.channel.show();
  }

  dispose(): void {
    this.offer.dispose();
    process.off("exit", this.exit);
    void this.tunnel?.stop();
    this.relay?.stopNow();
  }
}

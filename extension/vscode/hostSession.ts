// The host core running inside the editor, on the first workspace folder, started on demand.

import * as vscode from "vscode";
import { Host } from "../core/host";
import { HostIdentity } from "../core/identity";
import type { Log } from "../core/log";
import { Mirror } from "../core/mirror/mirror";
import { nodeFileSystem } from "../node/nodeFileSystem";
import { secretState } from "./secretState";

function outputLog(channel: vscode.LogOutputChannel): Log {
  const fmt = (m: string, f?: Record<string, unknown>): string => (f && Object.keys(f).length ? `${m} ${JSON.stringify(f)}` : m);
  return {
    info: (m, f) => channel.info(fmt(m, f)),
    warn: (m, f) => channel.warn(fmt(m, f)),
    error: (m, f) => channel.error(fmt(m, f)),
  };
}

export class HostSession implements vscode.Disposable {
  private host: Promise<Host> | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly channel: vscode.LogOutputChannel,
  ) {
    context.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration("tether.relayUrl")) this.restart();
      }),
    );
  }

  /** The running host, started on first use. */
  get(): Promise<Host> {
    this.host ??= this.start().catch((err: unknown) => {
      this.host = undefined;
      throw err;
    });
    return this.host;
  }

  private async start(): Promise<Host> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder || folder.uri.scheme !== "file")
      throw new Error("Open a folder first: Tether shares the workspace folder with your phone.");
    const relay = new URL(vscode.workspace.getConfiguration("tether").get<string>("relayUrl", "http://127.0.0.1:8787")).origin;
    const log = outputLog(this.channel);
    const identity = await HostIdentity.loadOrCreate(secretState(this.context.secrets));
    const mirror = await Mirror.open({ fs: nodeFileSystem, root: folder.uri.fsPath });
    const host = new Host({
      relay,
      name: vscode.env.appName + " · " + folder.name,
      identity,
      mirror,
      log,
      confirmPairing: async ({ phoneName, code }) => {
        const pick = await vscode.window.showInformationMessage(
          `Pair "${phoneName}" with this editor?`,
          { modal: true, detail: `Check that the phone shows the code ${code}.` },
          "Pair",
        );
        return pick === "Pair";
      },
    });
    host.on("state", (state, detail) => this.channel.info(`relay ${state}${detail ? `: ${detail}` : ""}`));
    host.on("paired", (phone) => void vscode.window.showInformationMessage(`Tether: paired "${phone.name}".`));
    host.on("fatal", (err) => void vscode.window.showErrorMessage(`Tether: ${err.message}`));
    await host.start();
    return host;
  }

  private restart(): void {
    const old = this.host;
    this.host = undefined;
    void old?.then(
      (h) => h.close(),
      () => undefined,
    );
  }

  dispose(): void {
    this.restart();
  }
}

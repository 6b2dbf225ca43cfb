// "Tether: Pair Phone": a panel with the pairing QR code and its link.

import QRCode from "qrcode";
import * as vscode from "vscode";
import { randomId } from "#protocol";
import type { EditorCommand } from "./command";
import { COMMAND_IDS } from "./ids";

export const pairPhone: EditorCommand<typeof COMMAND_IDS.pairPhone> = {
  id: COMMAND_IDS.pairPhone,
  async run(deps) {
    try {
      const offer = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: "Tether: connecting to the relay…" },
        async () => (await deps.session.get()).openPairing(),
      );
      const svg = await QRCode.toString(offer.url, { type: "svg", margin: 2, errorCorrectionLevel: "M" });
      const panel = vscode.window.createWebviewPanel("tether.pair", "Pair Phone", vscode.ViewColumn.Active, {
        enableScripts: false,
      });
      const nonce = randomId();
      const until = new Date(offer.expiresAt).toLocaleTimeString();
      panel.webview.html = `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'nonce-${nonce}'">
<style nonce="${nonce}">body{font-family:var(--vscode-font-family);padding:24px;max-width:420px}
.qr{background:#fff;padding:12px;border-radius:8px;width:280px}code{word-break:break-all}</style></head>
<body><h2>Scan with your phone</h2>
<img class="qr" alt="Pairing QR code" src="data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}">
<p>Or open this link on the phone:</p><p><code>${offer.url.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</code></p>
<p>Valid until ${until}, for one phone. You will be asked to confirm a code.</p></body></html>`;
    } catch (err) {
      void vscode.window.showErrorMessage(`Tether could not start pairing: ${(err as Error).message}`);
    }
  },
};

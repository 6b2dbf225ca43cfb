// The thread panel's entry in a VS Code webview: the phone app's styles in the editor's theme,
// and the panel wired to the extension through the webview's message channel.

import "../noEval";
import "../app.css";
import "./theme.css";
import { mount } from "svelte";
import Panel from "./Panel.svelte";
import Sidebar from "./Sidebar.svelte";
import { PanelState } from "./panelState.svelte";

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const target = document.getElementById("app");
if (!target) throw new Error("the panel's page has no #app element");

const vscode = acquireVsCodeApi();
const panel = new PanelState((message) => vscode.postMessage(message));
window.addEventListener("message", (event: MessageEvent) => panel.receive(event.data));
// One bundle for both surfaces: the page says which it is (extension/vscode/panelFeed.ts).
mount(target.dataset.surface === "sidebar" ? Sidebar : Panel, { target, props: { panel } });
panel.clock.start();
panel.ready();

// The app proper, loaded only once the page is known to be a secure context: it pulls in
// the crypto, the socket and the schemas.

import { mount } from "svelte";
import App from "./App.svelte";
import { TetherApp } from "./app.svelte";
import { preloadRelayClient } from "./link/relayLink.svelte";
import { registerServiceWorker } from "./push/serviceWorker";
import { prefetchScreens } from "./screens/lazy";

export function startApp(target: HTMLElement, pairText: string | null): void {
  // The socket client comes while the app reads IndexedDB, ready by the time it connects.
  preloadRelayClient();
  const app = new TetherApp();
  mount(App, { target, props: { app } });
  // The thread, new-task and file screens are worth fetching ahead only for a phone with a
  // computer to open them on: the unpaired start page loads what pairing needs and no more.
  void app.start(pairText).then(() => {
    if (app.hosts.list.length > 0) prefetchScreens();
  });
  void registerServiceWorker();
}

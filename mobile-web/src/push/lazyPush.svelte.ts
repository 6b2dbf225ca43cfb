// Notifications load apart from the first screen: the settings, the subscription and the FCM
// transport (about 2.5 KB gzip) are fetched as the app starts, beside the socket client, and
// neither the hosts list nor the pairing screen waits for them. Only the settings and the
// host's dashboard show them, and those screens load later still. Until they are there, the
// relay's offer from a hello is kept and handed over once this phone's saved choices are
// read: the same order as when they were part of the app chunk.

import type { PushOffer } from "#protocol/push";
import type { PushSettings, PushSettingsDeps } from "./pushSettings.svelte";

export class LazyPush {
  /** The settings, once loaded and read from storage; null before (or if they could not load). */
  settings = $state.raw<PushSettings | null>(null);
  /** The offer of the latest hello, while the settings are not there yet. */
  #offer: { value: PushOffer | undefined } | null = null;

  /** Loads the settings and reads what this phone remembers, then applies the latest offer. */
  async load(deps: PushSettingsDeps): Promise<void> {
    const { PushSettings } = await import("./pushSettings.svelte");
    const settings = new PushSettings(deps);
    await settings.load();
    this.settings = settings;
    if (this.#offer) settings.setOffer(this.#offer.value);
    this.#offer = null;
  }

  /** The relay's hello: see {@link PushSettings.setOffer}. */
  setOffer(offer: PushOffer | undefined): void {
    if (this.settings) this.settings.setOffer(offer);
    else this.#offer = { value: offer };
  }
}

// FCM tokens through the Firebase web SDK, for relays that send through FCM. The SDK is
// imported only here, dynamically (./firebaseSdk), and only when a token is needed, so it is a
// chunk of its own that phones on Web Push never load. It gets the app's own service worker:
// FCM's pushes then reach sw.js like any other push, and no firebase-messaging-sw.js exists.

import type { FirebaseApp, FirebaseOptions } from "firebase/app";
import type { Messaging } from "firebase/messaging";
import type * as FirebaseSdk from "./firebaseSdk";
import type { FcmTokens, FcmTransport } from "./transport";

/** A named app: never the default one, which other code on the page could claim. */
const APP_NAME = "tether";

interface Sdk {
  firebase: typeof FirebaseSdk;
  messaging: Messaging;
}

function sameOptions(a: FirebaseOptions, b: FirebaseOptions): boolean {
  const text = (o: FirebaseOptions): string => JSON.stringify(Object.entries(o).sort(([x], [y]) => x.localeCompare(y)));
  return text(a) === text(b);
}

async function load(transport: FcmTransport): Promise<Sdk> {
  const firebase = await import("./firebaseSdk");
  const { vapidKey: _key, ...options } = transport.config;
  let current: FirebaseApp | undefined = firebase.getApps().find((a) => a.name === APP_NAME);
  // The relay's config changed while the app was open: Firebase refuses a second app by the
  // same name with other options.
  if (current && !sameOptions(current.options, options)) {
    await firebase.deleteApp(current);
    current = undefined;
  }
  current ??= firebase.initializeApp(options, APP_NAME);
  return { firebase, messaging: firebase.getMessaging(current) };
}

/** `registration` resolves with the app's active service worker registration (/sw.js). */
export function firebaseTokens(registration: () => Promise<ServiceWorkerRegistration>): FcmTokens {
  const tokenFor = async (transport: FcmTransport, sdk: Sdk): Promise<string> =>
    sdk.firebase.getToken(sdk.messaging, { vapidKey: transport.vapidKey, serviceWorkerRegistration: await registration() });
  return {
    async getToken(transport) {
      return tokenFor(transport, await load(transport));
    },
    async deleteToken(transport) {
      const worker = await registration();
      // Without a subscription there is no token left to revoke: FCM cannot deliver to it.
      if (!(await worker.pushManager.getSubscription())) return;
      const sdk = await load(transport);
      // The SDK learns which worker to use only from getToken; for the current subscription it
      // answers from its own IndexedDB record. Without it, deleteToken would register
      // /firebase-messaging-sw.js, which does not exist.
      await tokenFor(transport, sdk);
      await sdk.firebase.deleteToken(sdk.messaging);
    },
  };
}

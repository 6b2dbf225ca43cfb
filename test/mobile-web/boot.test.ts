import assert from "node:assert/strict";
import { isSecureEnough, takePairFragment } from "../../mobile-web/src/boot";

/** Stands in for the page's address bar: `location` and `history` as the two functions use them. */
function openPage(href: string): { addressBar: () => string; restore: () => void } {
  let url = new URL(href);
  const location = {
    get href() {
      return url.href;
    },
    get hash() {
      return url.hash;
    },
    get pathname() {
      return url.pathname;
    },
    get search() {
      return url.search;
    },
  };
  const history = {
    state: null,
    replaceState(_state: unknown, _unused: string, next: string) {
      url = new URL(next, url);
    },
  };
  Object.defineProperty(globalThis, "location", { value: location, configurable: true });
  Object.defineProperty(globalThis, "history", { value: history, configurable: true });
  return {
    addressBar: () => url.href,
    restore() {
      Reflect.deleteProperty(globalThis, "location");
      Reflect.deleteProperty(globalThis, "history");
    },
  };
}

describe("page start", () => {
  it("takes the pairing secret out of the address bar, hands over the whole link, and leaves other addresses alone", () => {
    const link = "https://relay.example/app/?via=qr#pair=slot.hostkey.secret";
    const page = openPage(link);
    try {
      assert.equal(takePairFragment(), link);
      assert.equal(page.addressBar(), "https://relay.example/app/?via=qr");
      // Once taken, it is gone: a reload does not pair again.
      assert.equal(takePairFragment(), null);
    } finally {
      page.restore();
    }
    const ordinary = openPage("https://relay.example/#/settings");
    try {
      assert.equal(takePairFragment(), null);
      assert.equal(ordinary.addressBar(), "https://relay.example/#/settings");
    } finally {
      ordinary.restore();
    }
  });

  it("does not start the app's crypto outside a secure context", () => {
    // Node has WebCrypto but no `isSecureContext`, like a page served over plain HTTP.
    assert.equal(isSecureEnough(), false);
    Object.defineProperty(globalThis, "isSecureContext", { value: true, configurable: true });
    try {
      assert.equal(isSecureEnough(), true);
    } finally {
      Reflect.deleteProperty(globalThis, "isSecureContext");
    }
  });
});

import assert from "node:assert/strict";
import {
  BLOCKED_TEXT,
  ENABLED_TEXT,
  INSTALL_FIRST_TEXT,
  INVITE_KEY,
  inviteCard,
  inviteSettled,
  readInvite,
  rememberPairing,
  settleInvite,
  type InviteInput,
  type InviteStorage,
} from "../../../mobile-web/src/push/invite";
import type { PushAvailability } from "../../../mobile-web/src/push/support";

const memoryStorage = (initial: Record<string, string> = {}): InviteStorage & { items: Map<string, string> } => {
  const items = new Map(Object.entries(initial));
  return { items, getItem: (key) => items.get(key) ?? null, setItem: (key, value) => void items.set(key, value) };
};

const card = (over: Partial<InviteInput> = {}) =>
  inviteCard({ memory: "pending", availability: "off", pressed: false, computer: "api-box", ...over });

describe("the invitation to turn on notifications after pairing", () => {
  describe("what this phone remembers", () => {
    it("owes the card after the first pairing, and not again once settled", () => {
      const storage = memoryStorage();
      assert.equal(readInvite(storage), null);
      rememberPairing(storage);
      assert.equal(readInvite(storage), "pending");
      settleInvite(storage);
      assert.equal(readInvite(storage), "done");
      // A second pairing (another computer) does not bring it back.
      rememberPairing(storage);
      assert.equal(readInvite(storage), "done");
    });

    it("reads anything else stored under its key as never paired", () => {
      assert.equal(readInvite(memoryStorage({ [INVITE_KEY]: "yes" })), null);
      assert.equal(readInvite(null), null);
    });

    it("keeps working when the storage throws (private modes, full storage)", () => {
      const broken: InviteStorage = {
        getItem: () => {
          throw new Error("SecurityError");
        },
        setItem: () => {
          throw new Error("QuotaExceededError");
        },
      };
      assert.equal(readInvite(broken), null);
      assert.doesNotThrow(() => rememberPairing(broken));
      assert.doesNotThrow(() => settleInvite(broken));
    });
  });

  describe("which card, if any", () => {
    it("invites with the computer's name when notifications could be turned on now", () => {
      assert.deepEqual(card(), {
        kind: "enable",
        text: "Turn on notifications: approvals and questions from api-box arrive there, and you can approve from the notification.",
      });
    });

    it("on iOS Safari in a tab, asks to add Tether to the Home Screen first", () => {
      assert.deepEqual(card({ availability: "install-first" }), { kind: "install-first", text: INSTALL_FIRST_TEXT });
      assert.match(INSTALL_FIRST_TEXT, /Home Screen first \(Share → Add to Home Screen\)/);
    });

    it("says nothing when notifications are on, cannot work here, or the relay sends none", () => {
      const silent: PushAvailability[] = ["on", "unsupported", "insecure", "no-relay-push", "blocked", "connecting"];
      for (const availability of silent) assert.equal(card({ availability }), null, availability);
    });

    it("says nothing before the first pairing or after it was settled", () => {
      assert.equal(card({ memory: null }), null);
      assert.equal(card({ memory: "done" }), null);
      assert.equal(card({ memory: "done", availability: "install-first" }), null);
    });

    it("once pressed, stays to tell how it went", () => {
      // Already settled by then: turning on settles it before the card is closed.
      assert.deepEqual(card({ pressed: true, memory: "done", availability: "on" }), { kind: "enabled", text: ENABLED_TEXT });
      assert.deepEqual(card({ pressed: true, availability: "blocked" }), { kind: "blocked", text: BLOCKED_TEXT });
      // Failed (the error is shown with it) or still asking: the button stays to try again.
      assert.equal(card({ pressed: true, availability: "off" })?.kind, "enable");
    });

    it("is settled for good only by notifications being on", () => {
      const settles = (["on", "off", "blocked", "install-first", "connecting"] as const).filter(inviteSettled);
      assert.deepEqual(settles, ["on"]);
    });
  });
});

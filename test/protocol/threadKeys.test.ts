import assert from "node:assert/strict";
import { ErrorCode, exportSecretKey, generateContentKey, importContentKey, open, seal, sealContext, sha256Hex } from "#protocol";
import { deriveThreadKey, threadKeyUse } from "#protocol/threadKeys";
import { formatShareLink, newShareSecret, parseShareFragment, shareKey, shareToken, shareVerifier } from "#protocol/share";

describe("protocol thread keys and share links", () => {
  it("a phone holding the content key non-extractable derives the host's thread key, which opens that thread only", async () => {
    const hostKey = await generateContentKey();
    const phoneKey = await importContentKey(await exportSecretKey(hostKey), false);
    const sealed = await seal(
      await deriveThreadKey(hostKey, 3, "thread-a", true),
      3,
      { text: "hi" },
      sealContext.event("h", "thread-a", 1),
    );
    assert.deepEqual(await open(await deriveThreadKey(phoneKey, 3, "thread-a"), sealed, sealContext.event("h", "thread-a", 1)), {
      text: "hi",
    });
    // Another thread's key, another epoch's, or the content key itself: none opens it.
    for (const key of [
      await deriveThreadKey(phoneKey, 3, "thread-b"),
      await deriveThreadKey(phoneKey, 4, "thread-a"),
      phoneKey,
    ]) {
      await assert.rejects(
        open(key, sealed, sealContext.event("h", "thread-a", 1)),
        (e: { code?: string }) => e.code === ErrorCode.BadSeal,
      );
    }
  });

  it("a given thread key does not lead back to the content key or to other threads' keys", async () => {
    const content = await generateContentKey();
    const a = await exportSecretKey(await deriveThreadKey(content, 1, "a", true));
    const b = await exportSecretKey(await deriveThreadKey(content, 1, "b", true));
    assert.notEqual(a, b);
    assert.notEqual(a, await exportSecretKey(content));
    // Another host's content key gives another key for the same thread id.
    assert.notEqual(a, await exportSecretKey(await deriveThreadKey(await generateContentKey(), 1, "a", true)));
  });

  it("which key a box of an epoch takes, by the host's switch", () => {
    assert.deepEqual(threadKeyUse(undefined, 5), ["content", "thread"]);
    assert.deepEqual(threadKeyUse(0, 1), ["thread"]);
    assert.deepEqual(threadKeyUse(3, 2), ["content"]);
    assert.deepEqual(threadKeyUse(3, 3), ["thread", "content"]);
    assert.deepEqual(threadKeyUse(3, 4), ["thread"]);
  });

  it("a share link round-trips and nothing malformed passes", async () => {
    const secret = newShareSecret();
    const link = { hostId: "host_1", threadId: "thread-1", shareId: "s1", secret };
    const text = formatShareLink("https://relay.example/", link);
    assert.equal(text, `https://relay.example/#share=host_1.thread-1.s1.${secret}`);
    assert.deepEqual(parseShareFragment(text), link);
    assert.equal(parseShareFragment(`https://r/#share=h.t.s.${secret.slice(1)}`), null);
    assert.equal(parseShareFragment(`https://r/#share=h..s.${secret}`), null);
    assert.equal(parseShareFragment(`https://r/#pair=a.b.c`), null);
  });

  it("the relay's verifier is the token's SHA-256, and neither gives the share key", async () => {
    const secret = newShareSecret();
    const token = await shareToken(secret);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(await shareVerifier(secret), await sha256Hex(token));
    assert.notEqual(await shareToken(newShareSecret()), token);
    const key = await shareKey(secret);
    const box = await seal(key, 1, { ok: 1 }, sealContext.record("h", "s-s1"));
    assert.deepEqual(await open(await shareKey(secret), box, sealContext.record("h", "s-s1")), { ok: 1 });
  });
});

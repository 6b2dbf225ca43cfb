// The store every long-lived part of the host tears down with: what a part's close() promises
// (harmless twice, nothing left behind, one failure not leaking the rest) rests on it.

import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { DisposableStore, Timer, listen, toDisposable } from "../../extension/core/disposable";
import { until } from "../support/wait";

describe("DisposableStore", () => {
  it("disposes each item once, newest first, however often it is disposed", () => {
    const store = new DisposableStore();
    const order: string[] = [];
    store.add(toDisposable(() => order.push("first")));
    store.add(toDisposable(() => order.push("second")));
    store.defer(() => order.push("third"));
    assert.equal(store.isDisposed, false);
    store.dispose();
    store.dispose();
    assert.deepEqual(order, ["third", "second", "first"]);
    assert.equal(store.isDisposed, true);
  });

  it("disposes at once what is added after it was disposed", () => {
    const store = new DisposableStore();
    store.dispose();
    let disposed = 0;
    const item = store.add(toDisposable(() => disposed++));
    assert.equal(disposed, 1);
    item.dispose();
    store.dispose();
    assert.equal(disposed, 1, "toDisposable runs its function once");
  });

  it("goes on past an item that throws, then throws what failed", () => {
    const store = new DisposableStore();
    const ran: string[] = [];
    store.defer(() => ran.push("a"));
    store.defer(() => {
      throw new Error("b failed");
    });
    store.defer(() => ran.push("c"));
    assert.throws(() => store.dispose(), /b failed/);
    assert.deepEqual(ran, ["c", "a"]);

    const several = new DisposableStore();
    several.defer(() => {
      throw new Error("one");
    });
    several.defer(() => {
      throw new Error("two");
    });
    assert.throws(
      () => several.dispose(),
      (err: unknown) => err instanceof AggregateError && err.errors.map((e: Error) => e.message).join() === "two,one",
    );
  });

  it("is not disposed twice by an item that disposes its own store", () => {
    const store = new DisposableStore();
    let runs = 0;
    store.defer(() => runs++);
    store.defer(() => store.dispose());
    store.dispose();
    assert.equal(runs, 1);
  });

  it("takes a listener off with listen()", () => {
    const emitter = new EventEmitter<{ ping: [number] }>();
    const heard: number[] = [];
    const store = new DisposableStore();
    store.add(listen(emitter, "ping", (n: number) => heard.push(n)));
    emitter.emit("ping", 1);
    store.dispose();
    emitter.emit("ping", 2);
    assert.deepEqual(heard, [1]);
    assert.equal(emitter.listenerCount("ping"), 0);
  });
});

describe("Timer", () => {
  it("runs the last armed callback, and none after dispose", async () => {
    const timer = new Timer();
    const ran: string[] = [];
    timer.arm(5, () => ran.push("replaced"));
    timer.arm(5, () => ran.push("kept"));
    assert.equal(timer.pending, true);
    await until("the timer fires", () => ran.length === 1);
    assert.deepEqual(ran, ["kept"]);
    assert.equal(timer.pending, false);

    timer.arm(1, () => ran.push("cancelled"));
    timer.dispose();
    timer.arm(1, () => ran.push("after dispose"));
    assert.equal(timer.pending, false);
    const after = new Timer();
    after.arm(20, () => ran.push("later timer"));
    await until("a later timer fires", () => ran.length === 2);
    assert.deepEqual(ran, ["kept", "later timer"]);
  });
});

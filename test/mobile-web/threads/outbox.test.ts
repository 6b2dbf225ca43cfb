import assert from "node:assert/strict";
import { ErrorCode, TetherError, open, sealContext, type Command } from "#protocol";
import { sendCommand, type CommandOutcome } from "../../../mobile-web/src/link/commands";
import type { TetherSocket } from "../../../mobile-web/src/link/request";
import {
  Outbox,
  UnreachableError,
  type OutboxItem,
  type OutboxStorage,
  type SendResult,
  waitingHosts,
} from "../../../mobile-web/src/threads/outbox";

/** A disk that outlives the Outbox object, as IndexedDB outlives a page. */
class Disk implements OutboxStorage {
  readonly items = new Map<string, OutboxItem>();
  all = async (): Promise<OutboxItem[]> => [...this.items.values()].map((i) => structuredClone(i));
  put = async (item: OutboxItem): Promise<void> => void this.items.set(item.id, structuredClone(item));
  delete = async (id: string): Promise<void> => void this.items.delete(id);
}

/** The relay as this phone meets it: reachable or not, and what the host makes of each id. */
class Network {
  reachable = true;
  hostOnline = true;
  /** Ids the host applied, in order, once each (its at-most-once). */
  readonly applied: string[] = [];
  /** Every attempt that reached the relay, with the time sealed in it. */
  readonly attempts: { id: string; sentAt: number }[] = [];
  refuse: ((command: Command) => string | null) | null = null;

  send = async (item: OutboxItem): Promise<CommandOutcome> => {
    if (!this.reachable) throw new UnreachableError();
    this.attempts.push({ id: item.id, sentAt: item.madeAt });
    const reason = this.refuse?.(item.command);
    if (reason) throw new TetherError(ErrorCode.BadRequest, reason);
    if (!this.hostOnline) return { id: item.id, queued: true };
    if (!this.applied.includes(item.id)) this.applied.push(item.id);
    return { id: item.id, queued: false };
  };
}

const message = (threadId: string, text: string): Command => ({ type: "message", threadId, text });
const task = (threadId: string, text: string): Command => ({ type: "new-task", threadId, text, mode: "ask" });

function outbox(disk: Disk, net: Network, clock = { t: 1_000 }): { box: Outbox; shown: () => readonly OutboxItem[] } {
  let shown: readonly OutboxItem[] = [];
  const box = new Outbox({
    storage: disk,
    send: (item) => net.send(item),
    now: () => clock.t,
    changed: (items) => (shown = items),
  });
  return { box, shown: () => shown };
}

describe("the phone's outbox", () => {
  it("sends at once while the relay is reachable, and keeps nothing", async () => {
    const disk = new Disk();
    const net = new Network();
    const { box } = outbox(disk, net);
    await box.load();
    const result = await box.submit("h", "t1", ["c1"], [task("t1", "Fix the test")]);
    assert.equal(result.kind, "sent");
    assert.deepEqual(net.applied, ["c1"]);
    assert.equal(disk.items.size, 0);
  });

  it("keeps what is made without the relay across a reload, then sends it in order with the same ids, once each", async () => {
    const disk = new Disk();
    const net = new Network();
    net.reachable = false;
    const clock = { t: 5_000 };
    const first = outbox(disk, net, clock);
    await first.box.load();
    assert.equal((await first.box.submit("h", "t1", ["task-1"], [task("t1", "Add rate limiting")])).kind, "unsent");
    clock.t = 6_000;
    assert.equal((await first.box.submit("h", "t1", ["steer-1"], [message("t1", "Use 5 a minute")])).kind, "unsent");
    assert.deepEqual(
      first.shown().map((i) => i.id),
      ["task-1", "steer-1"],
    );
    assert.equal(net.attempts.length, 0, "nothing left the phone");

    // The page reloads: a new outbox over the same disk shows both, in order.
    const second = outbox(disk, net, clock);
    await second.box.load();
    assert.deepEqual(
      second.shown().map((i) => [i.id, i.command.type]),
      [
        ["task-1", "new-task"],
        ["steer-1", "message"],
      ],
    );

    // A message made after the reload still goes after the two older ones.
    clock.t = 7_000;
    assert.equal((await second.box.submit("h", "t1", ["steer-2"], [message("t1", "And log it")])).kind, "unsent");

    net.reachable = true;
    clock.t = 90_000;
    const results = await second.box.flush("h");
    assert.deepEqual(net.applied, ["task-1", "steer-1", "steer-2"]);
    assert.deepEqual(
      [...results.values()].map((r) => r.kind),
      ["sent", "sent", "sent"],
    );
    // Each carries the time it was made, not the time it left.
    assert.deepEqual(
      net.attempts.map((a) => a.sentAt),
      [5_000, 6_000, 7_000],
    );
    assert.equal(disk.items.size, 0);
    assert.equal(second.shown().length, 0);
    // A second flush (another reconnect) sends nothing again.
    await second.box.flush("h");
    assert.equal(net.attempts.length, 3);
  });

  it("stops at the first that cannot leave and keeps the order for the next connection", async () => {
    const disk = new Disk();
    const net = new Network();
    net.reachable = false;
    const { box, shown } = outbox(disk, net);
    await box.load();
    await box.submit("h", "t1", ["a"], [message("t1", "one")]);
    await box.submit("h", "t1", ["b"], [message("t1", "two")]);
    // The connection comes back for one send only, then drops again.
    let allowed = 1;
    const send = net.send;
    net.send = async (item) => {
      net.reachable = allowed-- > 0;
      return send(item);
    };
    await box.flush("h");
    assert.deepEqual(net.applied, ["a"]);
    assert.deepEqual(
      shown().map((i) => i.id),
      ["b"],
    );
    net.send = send;
    net.reachable = true;
    await box.flush("h");
    assert.deepEqual(net.applied, ["a", "b"]);
  });

  it("answers 'queued' when the relay took it for a computer that is away: nothing stays in the outbox", async () => {
    const disk = new Disk();
    const net = new Network();
    net.hostOnline = false;
    const { box } = outbox(disk, net);
    await box.load();
    const result = await box.submit("h", "t1", ["q"], [message("t1", "later")]);
    assert.deepEqual(result, { kind: "sent", outcome: { id: "q", queued: true } });
    assert.equal(disk.items.size, 0);
  });

  it("hands a refusal to the person who is waiting and keeps nothing of it", async () => {
    const disk = new Disk();
    const net = new Network();
    net.refuse = () => "This thread is not running.";
    const { box } = outbox(disk, net);
    await box.load();
    const result: SendResult = await box.submit("h", "t1", ["r"], [message("t1", "hello")]);
    assert.equal(result.kind, "refused");
    assert.equal(result.kind === "refused" && result.error.message, "This thread is not running.");
    assert.equal(disk.items.size, 0);
  });

  it("marks a waiting item the host refuses later, keeps its text, and sends the ones after it", async () => {
    const disk = new Disk();
    const net = new Network();
    net.reachable = false;
    const { box, shown } = outbox(disk, net);
    await box.load();
    await box.submit("h", "t1", ["bad"], [message("t1", "steer a thread that ended")]);
    await box.submit("h", "t2", ["good"], [task("t2", "New work")]);
    net.reachable = true;
    net.refuse = (c) => (c.type === "message" ? "That task has ended." : null);
    await box.flush("h");
    assert.deepEqual(net.applied, ["good"]);
    const [kept] = shown();
    assert.equal(kept?.id, "bad");
    assert.equal(kept?.refused, "That task has ended.");
    assert.deepEqual(kept?.command, message("t1", "steer a thread that ended"));
    // On disk too, and not sent again at the next connection.
    assert.equal(disk.items.get("bad")?.refused, "That task has ended.");
    await box.flush("h");
    assert.equal(net.attempts.filter((a) => a.id === "bad").length, 1);
  });

  it("never sends what the person cancelled", async () => {
    const disk = new Disk();
    const net = new Network();
    net.reachable = false;
    const { box, shown } = outbox(disk, net);
    await box.load();
    await box.submit("h", "t1", ["keep"], [message("t1", "keep")]);
    await box.submit("h", "t1", ["drop"], [message("t1", "drop")]);
    await box.cancel("drop");
    assert.deepEqual(
      shown().map((i) => i.id),
      ["keep"],
    );
    net.reachable = true;
    await box.flush("h");
    assert.deepEqual(net.applied, ["keep"]);
  });

  it("takes a task's attachments and messages along when the task is cancelled", async () => {
    const disk = new Disk();
    const net = new Network();
    net.reachable = false;
    const { box, shown } = outbox(disk, net);
    await box.load();
    const attach: Command = { type: "attach", threadId: "t1", name: "a.txt", mime: "text/plain", data: "YQ" };
    await box.submit("h", "t1", ["att", "task"], [attach, task("t1", "Read a.txt")]);
    await box.submit("h", "t1", ["msg"], [message("t1", "and b.txt")]);
    await box.submit("h", "t2", ["other"], [message("t2", "unrelated")]);
    const cancelled = await box.cancel("task");
    assert.equal(cancelled?.command.type, "new-task");
    assert.deepEqual(
      shown().map((i) => i.id),
      ["other"],
    );
    assert.deepEqual([...disk.items.keys()], ["other"]);
  });

  it("names each host with something waiting once, and not for refused items", async () => {
    const disk = new Disk();
    const net = new Network();
    net.reachable = false;
    const { box, shown } = outbox(disk, net);
    await box.load();
    await box.submit("h1", "t1", ["a"], [message("t1", "a")]);
    await box.submit("h1", "t1", ["b"], [message("t1", "b")]);
    await box.submit("h2", "t2", ["c"], [message("t2", "c")]);
    assert.deepEqual(waitingHosts(shown()), ["h1", "h2"]);
    net.reachable = true;
    net.refuse = () => "no";
    await box.flush("h2");
    assert.deepEqual(waitingHosts(shown()), ["h1"]);
  });

  it("does not hold one computer's commands behind another's slow answer", async () => {
    const disk = new Disk();
    const net = new Network();
    let release: () => void = () => undefined;
    const send = net.send;
    net.send = async (item) => {
      if (item.hostId === "slow") await new Promise<void>((resolve) => (release = resolve));
      return send(item);
    };
    const { box } = outbox(disk, net);
    await box.load();
    const slow = box.submit("slow", "t1", ["s"], [message("t1", "wait")]);
    const fast = await box.submit("fast", "t2", ["f"], [message("t2", "go")]);
    assert.equal(fast.kind, "sent");
    assert.deepEqual(net.applied, ["f"]);
    release();
    assert.equal((await slow).kind, "sent");
  });

  it("sends only the host's own items when that host's relay link is back", async () => {
    const disk = new Disk();
    const net = new Network();
    net.reachable = false;
    const { box, shown } = outbox(disk, net);
    await box.load();
    await box.submit("h1", "t1", ["one"], [message("t1", "to h1")]);
    await box.submit("h2", "t2", ["two"], [message("t2", "to h2")]);
    net.reachable = true;
    await box.flush("h1");
    assert.deepEqual(net.applied, ["one"]);
    assert.deepEqual(
      shown().map((i) => i.id),
      ["two"],
    );
  });
});

describe("sendCommand with the outbox's id and time", () => {
  it("seals the time the command was made and sends the same id each time", async () => {
    const commandKey = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
    const sent: { id: string; box: unknown }[] = [];
    const socket = {
      timeout: () => ({
        emitWithAck: async (_event: string, payload: { id: string; box: unknown }) => {
          sent.push(payload);
          return { ok: true, queued: true };
        },
      }),
    } as unknown as TetherSocket;
    const target = { hostId: "host-1", deviceId: "phone-1", commandKey };
    const command = message("t1", "hello");
    await sendCommand(socket, target, command, { id: "same-id", sentAt: 1234 });
    await sendCommand(socket, target, command, { id: "same-id", sentAt: 1234 });
    assert.deepEqual(
      sent.map((s) => s.id),
      ["same-id", "same-id"],
    );
    for (const s of sent) {
      const opened = await open(commandKey, s.box as never, sealContext.command("host-1", "phone-1", "same-id"));
      assert.deepEqual(opened, { sentAt: 1234, command });
    }
  });
});

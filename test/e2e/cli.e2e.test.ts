// The `tether` command line end to end, with real relay and host processes from dist/ and the
// command line as a child process: it pairs as a phone does (the person confirms the same code
// on the host's terminal), keeps its identity 0600 or takes it from TETHER_IDENTITY, starts a
// task with --wait --json while an approval is answered from a phone, exits 0, 1 or 2 as the
// task ends, and says in one line what is wrong with bad input.

import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FakeTurn } from "../support/fakeModels";
import { startCli, runCli } from "../support/cliProcess";
import { parseShareFragment, shareToken } from "#protocol/share";
import { ErrorCode } from "#protocol";
import { pairPhone, refusal, shareViewer, type PairedPhone } from "../support/phone";
import { DIST, NO_MODEL_ENV, startRelay, startStack, type Stack } from "../support/phoneStack";
import { freePort, startInTerminal, type Proc } from "../support/processes";
import { until } from "../support/wait";

const call = (name: string, args: object): FakeTurn => ({ toolCalls: [{ name, args }] });
const LINK = /(http:\/\/\S+#pair=\S+)/g;
const PROMPT = /Pair "([^"]+)"\? Check that it shows code (\d{3}-\d{3})/g;

describe("end to end: the tether command line", function () {
  this.timeout(120_000);
  let stack: Stack;
  let host: Proc;
  let phone: PairedPhone;
  let identity: string;

  /** The `n`th match (from 1) of a global pattern in the host's output, once it is there. */
  const nth = (pattern: RegExp, n: number): Promise<RegExpMatchArray> =>
    until(`match ${n} of ${pattern}`, () => [...host.output().matchAll(pattern)][n - 1], 30_000);
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli([...args, "--identity", identity], env);
  const jsonLines = (text: string) =>
    text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  before(async () => {
    // On a port of its own: a test restarts the relay there, where the host and the command line look for it.
    stack = await startStack({ name: "cli", mode: "auto-edit", relayPort: await freePort() });
    // The stack's host accepts every pairing; this one asks its person, in a terminal.
    await stack.host.stop();
    host = stack.onStop(
      startInTerminal(
        "node",
        [
          join(DIST, "host.js"),
          ...["--relay", stack.relayUrl, "--folder", stack.workspace, "--name", "ci-box"],
          ...["--state-dir", join(stack.tmp, "terminal-host"), "--mode", "auto-edit"],
          ...["--model", "openai:gpt-test", "--base-url", stack.model.url, "--pair"],
        ],
        { env: NO_MODEL_ENV },
      ),
      (p) => p.stop(),
    );
    identity = join(stack.tmp, "cli", "identity.json");
  });
  after(async () => {
    phone?.close();
    await stack?.stop();
  });

  it("pairs after the person confirms on the computer the code it prints, and keeps its keys 0600", async () => {
    const link = (await nth(LINK, 1))[1]!;
    const pairing = startCli(["pair", link, "--identity", identity, "--name", "release job"]);
    const printed = await until("the code on the command line", () => /shows code (\d{3}-\d{3})/.exec(pairing.stderr()), 30_000);
    const asked = await nth(PROMPT, 1);
    assert.equal(asked[1], "release job", "the computer names the device as the command line told it");
    assert.equal(asked[2], printed[1], "both show the same code");
    host.write("y\n");
    const result = await pairing.done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Paired with ci-box/);
    assert.equal(statSync(identity).mode & 0o777, 0o600, "only its owner may read the identity");
    assert.doesNotMatch(readFileSync(identity, "utf8"), new RegExp(link.split("#pair=")[1]!), "the pairing secret is not kept");

    const hosts = await cli(["hosts"]);
    assert.equal(hosts.code, 0, hosts.stderr);
    assert.match(hosts.stdout, /^ci-box {2}online .*mode up to auto-edit/m);

    // A phone too, from a second code the person asks for with Enter, for the approvals below.
    host.write("\n");
    const second = (await nth(LINK, 2))[1]!;
    const phonePaired = pairPhone(second, "e2e phone");
    await nth(PROMPT, 2);
    host.write("y\n");
    phone = await phonePaired;
  });

  it("runs a task with --wait --json while a person approves its command on the phone, and exits 0", async () => {
    stack.model.push(
      call("run_command", { command: "echo platypus", reason: "say hello" }),
      call("finish", { summary: "Said it." }),
    );
    const run = startCli(["run", "--host", "ci-box", "--wait", "--json", "Say platypus", "--identity", identity]);
    const threadId = await until("the thread id", () => /"threadId":"([^"]+)"/.exec(run.stdout())?.[1], 30_000);
    const asked = await phone.waitFor(threadId, (e) => e.type === "approval-requested", 30_000);
    await until(
      "the command line says what waits",
      () => /Waiting for a person to approve echo platypus/.test(run.stderr()),
      30_000,
    );
    assert.equal(run.stdout().includes('"type":"status","status":"done"'), false, "it is still waiting");
    assert.ok(asked.type === "approval-requested");
    await phone.send({ type: "decide", threadId, approvalId: asked.approvalId, decision: "approve" });
    const result = await run.done;
    assert.equal(result.code, 0, result.stderr);
    const lines = jsonLines(result.stdout);
    assert.deepEqual(lines[0], { threadId, host: "ci-box", queued: false });
    const events = lines.slice(1);
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_, i) => i + 1),
      "every event once, in order",
    );
    const resolved = events.find((e) => e.type === "approval-resolved");
    assert.deepEqual(resolved?.by, { id: phone.deviceId, name: "e2e phone" });
    assert.deepEqual(events.at(-1), { ...events.at(-1), type: "status", status: "done" });
    assert.ok(events.some((e) => e.type === "tool-result" && String(e.output).includes("platypus")));

    const listed = await cli(["threads", "--host", "ci-box"]);
    assert.match(listed.stdout, new RegExp(`^${threadId} {2}done +Say platypus`, "m"));
    const logs = await cli(["logs", threadId]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /^> run_command echo platypus$/m);
    assert.match(logs.stdout, /Approved by e2e phone/);
  });

  it("takes its identity from TETHER_IDENTITY, approves from the command line, and exits 1 when the task fails", async () => {
    const exported = await cli(["identity", "export"]);
    assert.equal(exported.code, 0, exported.stderr);
    const env = { TETHER_IDENTITY: exported.stdout.trim(), XDG_CONFIG_HOME: join(stack.tmp, "empty-config") };
    stack.model.push(call("run_command", { command: "echo wombat", reason: "look" }), {
      status: 400,
      message: "This model does not accept that request.",
    });
    const run = startCli(["run", "--wait", "Say wombat"], env);
    const threadId = await until("the thread id", () => /^(\S+)\n/.exec(run.stdout())?.[1], 30_000);
    await until("the approval", () => /Waiting for a person to approve echo wombat/.test(run.stderr()), 30_000);
    const approved = await runCli(["approve", threadId, "--message", "go ahead"], env);
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, /^Approved: /);
    const result = await run.done;
    assert.equal(result.code, 1, `failed: ${result.stdout}${result.stderr}`);
    assert.match(result.stdout, /Approved by release job: go ahead/);
    assert.match(result.stdout, /\[failed\]/);
  });

  it("exits 2 when the task is stopped from another command line while it waits", async () => {
    stack.model.push(call("run_command", { command: "echo numbat", reason: "look" }));
    const run = startCli(["run", "--host", "ci-box", "--wait", "Say numbat", "--identity", identity]);
    const threadId = await until("the thread id", () => /^(\S+)\n/.exec(run.stdout())?.[1], 30_000);
    await until("the approval", () => /Waiting for a person to approve echo numbat/.test(run.stderr()), 30_000);
    const stopped = await cli(["stop", threadId]);
    assert.equal(stopped.code, 0, stopped.stderr);
    const result = await run.done;
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stdout, /\[stopped\]/);

    // A message continues the stopped task; its log then ends with the new run's end.
    stack.model.push(call("finish", { summary: "Said numbat without a command." }));
    const sent = await cli(["send", threadId, "Just say it, no command"]);
    assert.equal(sent.code, 0, sent.stderr);
    await phone.waitFor(threadId, (e) => e.type === "status" && e.status === "done", 30_000);
    const logs = await cli(["logs", threadId, "--follow"]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /^release job: Just say it, no command$/m);
    assert.match(logs.stdout, /\[done\]\n$/);
  });

  it("answers the agent's question from another command line while --wait waits on it", async () => {
    stack.model.push(call("ask_user", { question: "Which port should it listen on?" }), (req) => {
      const told = JSON.stringify(req.body.messages).includes("8080 please");
      return told ? call("finish", { summary: "Listening on 8080." }) : { status: 500, message: "the answer did not arrive" };
    });
    const run = startCli(["run", "--host", "ci-box", "--wait", "Set up the server", "--identity", identity]);
    const threadId = await until("the thread id", () => /^(\S+)\n/.exec(run.stdout())?.[1], 30_000);
    await until(
      "the note on what waits",
      () => run.stderr().includes(`Waiting for an answer to the agent's question: on the phone, or \`tether answer ${threadId}`),
      30_000,
    );
    const early = await cli(["answer", "no-such-thread", "x"]);
    assert.equal(early.code, 3);
    const answered = await cli(["answer", threadId, "8080 please"]);
    assert.equal(answered.code, 0, answered.stderr);
    assert.equal(answered.stdout, "Answered: Which port should it listen on?\n");
    const result = await run.done;
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /Listening on 8080/);
    const again = await cli(["answer", threadId, "9090"]);
    assert.equal(again.code, 3);
    assert.match(again.stderr, /^tether: Thread \S+ has no question waiting for an answer\.$/m);
  });

  it("shares a task read-only: prints a link the relay admits for that thread, lists it, and revokes it", async () => {
    stack.model.push(call("finish", { summary: "Nothing to change." }));
    const run = await cli(["run", "--host", "ci-box", "--wait", "Look around"]);
    assert.equal(run.code, 0, run.stderr);
    const threadId = run.stdout.split("\n")[0]!;

    const shared = await cli(["share", threadId]);
    assert.equal(shared.code, 0, shared.stderr);
    const link = parseShareFragment(shared.stdout.trim());
    assert.ok(link, `one link on stdout: ${shared.stdout}`);
    assert.equal(link.threadId, threadId);
    assert.match(shared.stderr, new RegExp(`tether share ${threadId} --revoke ${link.shareId}`));

    // What the link's holder shows the relay reads that thread's boxes, sealed.
    const token = await shareToken(link.secret);
    const { socket: viewer, threads } = await shareViewer(stack.relayUrl, token);
    assert.ok(threads.length > 0 && threads.every((t) => t === threadId), threads.join());

    const listed = await cli(["share", threadId, "--list"]);
    assert.equal(listed.code, 0, listed.stderr);
    const row = listed.stdout.split("\n").find((line) => line.startsWith(`${link.shareId}  `));
    assert.ok(row?.endsWith(`  ${shared.stdout.trim()}`), `the link listed with its id: ${listed.stdout}`);

    const cut = new Promise((resolve) => viewer.once("disconnect", resolve));
    const revoked = await cli(["share", threadId, "--revoke", link.shareId]);
    assert.equal(revoked.code, 0, revoked.stderr);
    await cut;
    assert.equal((await refusal(stack.relayUrl, { share: token })).code, ErrorCode.Unauthorized);
    const again = await cli(["share", threadId, "--revoke", link.shareId]);
    assert.equal(again.code, 3);
    assert.match(again.stderr, /^tether: ci-box refused: That thread has no such share\.$/m);
    const none = await cli(["share", threadId, "--list"]);
    assert.equal(none.stdout, "");
    assert.match(none.stderr, /is not shared/);
  });

  it("shows the computer's own words when --mode asks for more than it allows", async () => {
    const result = await cli(["run", "--host", "ci-box", "--mode", "full-auto", "Delete everything"]);
    assert.equal(result.code, 3);
    assert.equal(result.stdout, "", "no thread id: nothing started");
    assert.match(
      result.stderr,
      /^tether: ci-box refused: This computer allows tasks up to "auto-edit"; "full-auto" asks for more/,
    );
  });

  it("queues a task for a computer that is offline, as a phone does, and --wait follows it once the computer is back", async () => {
    await host.stop();
    await until("ci-box offline", async () => /^ci-box {2}offline/m.test((await cli(["hosts"])).stdout), 30_000);
    const run = startCli(["run", "--host", "ci-box", "--wait", "--json", "Say quokka", "--identity", identity]);
    await until("the inbox note", () => /ci-box is offline: the task waits in the relay's inbox/.test(run.stderr()), 30_000);
    const first = JSON.parse(run.stdout().split("\n")[0]!) as { threadId: string; queued: boolean };
    assert.equal(first.queued, true);
    stack.model.push(call("finish", { summary: "Said quokka." }));
    host = stack.onStop(
      startInTerminal(
        "node",
        [
          join(DIST, "host.js"),
          ...["--relay", stack.relayUrl, "--folder", stack.workspace, "--name", "ci-box"],
          ...["--state-dir", join(stack.tmp, "terminal-host"), "--mode", "auto-edit", "--no-pair"],
          ...["--model", "openai:gpt-test", "--base-url", stack.model.url],
        ],
        { env: NO_MODEL_ENV },
      ),
      (p) => p.stop(),
    );
    const result = await run.done;
    assert.equal(result.code, 0, result.stderr);
    const events = jsonLines(result.stdout).slice(1);
    assert.equal(events[0]?.threadId, first.threadId);
    assert.equal(events[0]?.type, "task");
    assert.deepEqual(events.at(-1), { ...events.at(-1), type: "status", status: "done" });
  });

  it("reads what the computer seals after it revoked another device and rotated its key", async () => {
    await until("the host back", async () => /^ci-box {2}online/m.test((await cli(["hosts"])).stdout), 30_000);
    host.write("revoke e2e phone\n");
    await nth(/Revoke "e2e phone"\?/g, 1);
    host.write("y\n");
    await nth(/Revoked "e2e phone"\. The other phones have a new key\./g, 1);
    const kept = JSON.parse(readFileSync(identity, "utf8")) as { hosts: { epoch: number }[] };
    assert.equal(kept.hosts[0]!.epoch, 1, "the file still holds the key of pairing only");
    stack.model.push(call("finish", { summary: "Said echidna." }));
    const result = await cli(["run", "--host", "ci-box", "--wait", "--json", "Say echidna"]);
    assert.equal(result.code, 0, result.stderr);
    const events = jsonLines(result.stdout).slice(1);
    assert.equal(events[0]?.type, "task");
    assert.deepEqual(events.at(-1), { ...events.at(-1), type: "status", status: "done" });
  });

  it("follows a task across a relay restart: what was published meanwhile is read, nothing twice, and it exits 0", async () => {
    stack.model.push(
      call("run_command", { command: "echo bilby", reason: "say it" }),
      call("finish", { summary: "Said bilby." }),
    );
    const run = startCli(["run", "--host", "ci-box", "--wait", "--json", "Say bilby", "--identity", identity]);
    const threadId = await until("the thread id", () => /"threadId":"([^"]+)"/.exec(run.stdout())?.[1], 30_000);
    await until("the approval", () => /Waiting for a person to approve echo bilby/.test(run.stderr()), 30_000);

    await stack.relay.stop();
    await until("the command line says it lost the relay", () => /Lost the connection to the relay/.test(run.stderr()), 30_000);
    const port = new URL(stack.relayUrl).port;
    stack.onStop((await startRelay(join(stack.tmp, "relay"), Number(port))).proc, (p) => p.stop());
    await until("the command line back", () => /Connected to the relay again/.test(run.stderr()), 60_000);
    // Approved from another command line once the computer is back too: the run goes on and ends.
    await until("the host back", async () => /^ci-box {2}online/m.test((await cli(["hosts"])).stdout), 30_000);
    const approved = await cli(["approve", threadId]);
    assert.equal(approved.code, 0, approved.stderr);

    const result = await run.done;
    assert.equal(result.code, 0, result.stderr);
    const events = jsonLines(result.stdout).slice(1);
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_, i) => i + 1),
      "every event once, in order, across the restart",
    );
    assert.ok(events.some((e) => e.type === "tool-result" && String(e.output).includes("bilby")));
    assert.deepEqual(events.at(-1), { ...events.at(-1), type: "status", status: "done" });
  });

  it("says in one line what is wrong: unknown thread, unknown host, garbage identity, no relay, not paired", async () => {
    const expectations: [Promise<{ code: number | null; stdout: string; stderr: string }>, RegExp][] = [
      [cli(["logs", "no-such-thread"]), /^tether: No thread no-such-thread on any paired computer/],
      [cli(["run", "--host", "nope", "task"]), /^tether: No paired computer is called nope \(paired: ci-box\)/],
      [runCli(["hosts"], { TETHER_IDENTITY: "hunter2" }), /^tether: TETHER_IDENTITY is not a Tether identity/],
      [runCli(["hosts"], { TETHER_IDENTITY: "tether-identity-1.e30" }), /^tether: TETHER_IDENTITY is damaged/],
      [runCli(["hosts", "--identity", join(stack.tmp, "none.json")]), /^tether: Not paired: run `tether pair <link>`/],
      [cli(["approve"]), /^tether: Usage: tether approve THREAD/],
      [cli(["deploy"]), /^tether: Unknown command deploy \(see tether --help\)/],
      [cli(["stop", "x", "--mode", "ask"]), /^tether: tether stop takes no --mode/],
    ];
    const port = await freePort();
    const elsewhere = join(stack.tmp, "elsewhere.json");
    const moved = JSON.parse(readFileSync(identity, "utf8")) as { relay: string };
    writeFileSync(elsewhere, JSON.stringify({ ...moved, relay: `http://127.0.0.1:${port}` }));
    expectations.push([
      runCli(["hosts", "--identity", elsewhere]),
      /^tether: Cannot reach the relay at http:\/\/127\.0\.0\.1:\d+/,
    ]);
    const help = await runCli(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: tether <command> \[options\]$/m);
    assert.match(help.stdout, /^ {2}run --host NAME "task" +Start a task/m);
    const runHelp = await runCli(["run", "--help"]);
    assert.equal(runHelp.code, 0);
    assert.match(runHelp.stdout, /--wait +Follow the task to its end: exit 0 done, 1 failed, 2 stopped/);
    for (const [running, expected] of expectations) {
      const result = await running;
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, expected);
      assert.equal(result.stderr.trim().split("\n").length, 1, `one line: ${result.stderr}`);
    }
  });

  it("is refused in one line once the computer revoked it, as a leaked CI secret would be", async () => {
    host.write("revoke release job\n");
    await nth(/Revoke "release job"\?/g, 1);
    host.write("y\n");
    await nth(/Revoked "release job"/g, 1);
    const result = await cli(["threads"]);
    assert.equal(result.code, 3);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^tether: This command line was unpaired from its computers \(revoked there\)\. Pair again/);
  });
});

// `tether-host` killed with SIGKILL while the agent's command runs: the command lives on (it has
// its own process group), and when the host starts again on the same state folder it ends that
// group and says so in the interrupted thread. A recorded pid that now belongs to another
// program is left alone. Real relay and host processes from dist/, the model scripted.

import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomId, type ThreadEvent } from "#protocol";
import { ThreadStore, workspaceStateDir } from "../../extension/core/threads/threadStore";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../support/fakeModels";
import { pairPhone, type PairedPhone } from "../support/phone";
import { start, type Proc } from "../support/processes";
import { makeWorkspace } from "../support/workspace";
import { quietFor, until } from "../support/wait";

const DIST = join(__dirname, "..", "..", "dist");
const quiet = { info() {}, warn() {}, error() {} };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("tether-host killed mid-command (processes)", function () {
  this.timeout(90_000);
  let tmp: string;
  let workspace: string;
  let relay: Proc;
  let host: Proc | undefined;
  let model: FakeModelServer<OpenAIBody>;
  let phone: PairedPhone | undefined;
  let stranger: ChildProcess | undefined;
  let relayUrl = "";
  const leftovers: number[] = [];

  const stateDir = (): string => join(tmp, "host");
  const startHost = (pair: boolean): Proc => {
    const args = [join(DIST, "host.js"), "--relay", relayUrl, "--folder", workspace, "--name", "death"];
    args.push("--state-dir", stateDir(), "--model", "openai:death-model", "--base-url", model.url);
    args.push("--mode", "full-auto", "--no-keep-awake");
    if (pair) args.push("--pair", "--accept-pairing");
    return start("node", args, { env: { OPENAI_API_KEY: "", TETHER_MODEL: "" } });
  };
  const diskEvents = (threadId: string): ThreadEvent[] =>
    new ThreadStore(workspaceStateDir(stateDir(), workspace), quiet).events(threadId).map((n) => n.event);

  beforeEach(async () => {
    if (!existsSync(join(DIST, "host.js")) || !existsSync(join(DIST, "relay.js"))) {
      throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    }
    tmp = mkdtempSync(join(tmpdir(), "tether-death-"));
    workspace = realpathSync(makeWorkspace({ "notes.md": "# Notes\n" }));
    model = await startFakeOpenAI();
    relay = start("node", [join(DIST, "relay.js"), "--port", "0", "--data-dir", join(tmp, "relay")]);
    relayUrl = (await relay.waitFor(/listening on (http:\/\/\S+)/))[1]!;
    host = startHost(true);
    phone = await pairPhone((await host.waitFor(/(http:\/\/\S+#pair=\S+)/))[1]!, "death phone");
  });

  afterEach(async () => {
    phone?.close();
    await host?.stop();
    await relay?.stop();
    await model?.close();
    stranger?.kill("SIGKILL");
    for (const pid of leftovers.splice(0)) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // gone, as it should be
      }
    }
    rmSync(tmp, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  it("ends the command's process group when it starts again, and leaves a reused pid alone", async function () {
    if (process.platform === "win32") this.skip();
    const shellPid = join(workspace, "shell.pid");
    const childPid = join(workspace, "child.pid");
    // The shell and a background child: both are in the command's group.
    const command = "sleep 600 & echo $! > child.pid; echo $$ > shell.pid; wait";
    model.push({ toolCalls: [{ name: "run_command", args: { command, reason: "a long test run" } }] });
    const threadId = randomId(12);
    await phone!.send({ type: "new-task", threadId, text: "Run the long tests" });
    // A pid file is complete once its line has ended.
    const pidIn = (file: string): number | undefined => {
      const text = existsSync(file) ? readFileSync(file, "utf8") : "";
      return /^\d+\n$/.test(text) ? Number(text) : undefined;
    };
    const [shell, child] = await until(
      "the command to start and write its pids",
      () => {
        const pids = [pidIn(shellPid), pidIn(childPid)];
        return pids.every((p) => p !== undefined) && (pids as [number, number]);
      },
      30_000,
    );
    leftovers.push(shell);
    const recordFile = join(workspaceStateDir(stateDir(), workspace), "running.json");
    await until("the host to record the running command on disk", () => existsSync(recordFile));

    const proc = host!;
    const exited = new Promise((resolve) => proc.child.once("exit", resolve));
    process.kill(-proc.child.pid!, "SIGKILL");
    await exited;
    assert.ok(alive(shell) && alive(child), "the command outlives a host killed with SIGKILL");
    await quietFor("the command ending with a host killed with SIGKILL", 300, () => !alive(shell) || !alive(child));

    // A record left by an older crash whose pid the system has since given to another program.
    stranger = spawn("sleep", ["600"], { detached: true, stdio: "ignore" });
    const strangerPid = stranger.pid!;
    const records = JSON.parse(readFileSync(recordFile, "utf8")) as { pid: number; command: string }[];
    assert.deepEqual(
      records.map((r) => [r.pid, r.command]),
      [[shell, command]],
      "the running command was recorded on disk",
    );
    writeFileSync(recordFile, JSON.stringify([...records, { pid: strangerPid, started: "12345", command: "npm test" }]));

    host = startHost(false);
    await host.waitFor(/connected to the relay/, 30_000);
    await until("the command's group to end", () => !alive(shell) && !alive(child), 5_000);
    assert.ok(alive(strangerPid), "a pid that belongs to another program now is not killed");
    assert.ok(!existsSync(recordFile), "the records were consumed");

    const last = diskEvents(threadId).at(-1);
    assert.ok(last?.type === "status" && last.status === "stopped", JSON.stringify(last));
    assert.match(last.detail ?? "", /^interrupted: /);
    assert.ok(last.detail?.includes(`the command \`${command}\` that was running was stopped`), last.detail);
  });
});

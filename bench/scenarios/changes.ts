// 12. The Changes view on a 200-file change (modified, staged and edited again, added, deleted,
// untracked) in a copy of this repository: the host's answer to the view's list, in this process
// with `listChanges` (every file with its diffs) and from a `tether-host` process as a phone's
// sealed `git-changes` call through the relay; and the phone's first screen, from opening the
// Changes view in Chromium at 360×740 to its first rows drawn. The floor of the host's answer is
// bare `git status --porcelain=v2` on the same working tree.

import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { listChanges } from "../../extension/core/git/changes";
import { listChangedFiles } from "../../extension/core/git/gitReads";
import { Mirror } from "../../extension/core/mirror/mirror";
import { nodeFileSystem } from "../../extension/node/nodeFileSystem";
import { pairWith, type PairedPhone } from "../../test/support/phone";
import { startRelayProcess } from "../../test/support/relayProcess";
import { benchGitEnv, sharedMachine, CHANGE_200, changeTotal, cloneThisRepository, makeChange } from "../lib/gitRepos";
import { startHostProcess } from "../lib/hostProcess";
import { figure } from "../lib/results";
import { Cleanup, type Scenario } from "../lib/scenario";
import { now, round, summarize } from "../lib/stats";
import { changesFirstScreen, THROTTLE } from "../lib/changesScreen";

const exec = promisify(execFile);

export const changesScenario: Scenario = {
  id: "changes",
  title: "Changes view",
  async run(ctx, out) {
    const runs = ctx.quick ? 3 : 15;
    const opens = ctx.quick ? 1 : 5;
    const env = benchGitEnv(join(ctx.tmp, "home"));
    out.notes.push(sharedMachine());
    const repo = join(ctx.tmp, "this-repo");
    ctx.log(`a copy of this repository with a ${changeTotal(CHANGE_200)}-file change`);
    cloneThisRepository(repo, env);
    makeChange(repo, env, CHANGE_200);
    out.params = { changedFiles: changeTotal(CHANGE_200), ...CHANGE_200, runs, opens };

    ctx.log(`listChanges, the git service's list and bare git status, ${runs} times each, interleaved`);
    // The git service leaves out what the mirror's secret rules hide, as the host does.
    const mirror = await Mirror.open({ fs: nodeFileSystem, root: repo });
    const library: number[] = [];
    const service: number[] = [];
    const floor: number[] = [];
    let listed = 0;
    let serviceListed = 0;
    for (let i = 0; i < runs; i++) {
      let t0 = now();
      listed = (await listChanges(repo)).length;
      library.push(now() - t0);
      t0 = now();
      const list = await listChangedFiles(repo, (rel) => mirror.isSecret(rel));
      serviceListed = list.files.length + list.more;
      service.push(now() - t0);
      t0 = now();
      await exec("git", ["status", "--porcelain=v2", "-z", "--untracked-files=all"], {
        cwd: repo,
        env: { ...process.env, ...env },
        maxBuffer: 64 * 2 ** 20,
      });
      floor.push(now() - t0);
    }
    const total = changeTotal(CHANGE_200);
    if (listed !== total) throw new Error(`listChanges listed ${listed} files, not ${total}`);
    if (serviceListed !== total) throw new Error(`the git service listed ${serviceListed} files, not ${total}`);
    const gitStatus = summarize(floor).p50;
    out.figures.push(
      figure({
        id: "list-changes",
        label: `listChanges, ${listed} files with their diffs, p50`,
        value: round(summarize(library).p50),
        unit: "ms",
        floor: round(gitStatus),
      }),
      figure({ id: "list-changes-max", label: `…max of ${runs}`, value: round(Math.max(...library)), unit: "ms" }),
      figure({
        id: "list-changed-files",
        label: "the git service's list (git-changes: line counts, no diffs), p50",
        value: round(summarize(service).p50),
        unit: "ms",
        floor: round(gitStatus),
      }),
      figure({ id: "list-changed-files-max", label: `…max of ${runs}`, value: round(Math.max(...service)), unit: "ms" }),
    );

    const cleanup = new Cleanup();
    try {
      const relay = cleanup.add(await startRelayProcess({ dataDir: join(ctx.tmp, "relay") }), (r) => r.stop());
      const host = cleanup.add(await startHostProcess({ relay: relay.url, folder: repo, stateDir: join(ctx.tmp, "host") }), (h) =>
        h.stop(),
      );
      const phone = await pairWith(host.link, cleanup);
      ctx.log(`the git-changes call from a phone through the relay, ${runs} times`);
      const call = await gitChangesCalls(phone, runs);
      out.figures.push(
        figure({
          id: "git-changes-first",
          label: "git-changes call from a phone, first (tether-host just started)",
          value: call.first === null ? null : round(call.first),
          unit: "ms",
          floor: round(gitStatus),
          ...(call.error ? { note: call.error } : {}),
        }),
        figure({
          id: "git-changes",
          label: "…again, p50",
          value: call.p50 === null ? null : round(call.p50),
          unit: "ms",
          floor: round(gitStatus),
        }),
      );
      if (call.error) out.notes.push(`The git-changes call was not answered by this build: ${call.error}`);
      else if (call.files !== changeTotal(CHANGE_200)) {
        out.notes.push(`The git-changes answer listed ${call.files} files for the ${changeTotal(CHANGE_200)} changed.`);
      }

      ctx.log(`the phone's Changes view in Chromium, opened ${opens} times`);
      const screen = await changesFirstScreen({ relay: relay.url, host, hostId: phone.hostId, opens, cleanup });
      out.figures.push(
        figure({
          id: "first-screen",
          label: `Changes view opened on the phone until its first rows show (${changeTotal(CHANGE_200)} files), p50`,
          value: screen.p50 === null ? null : round(screen.p50),
          unit: "ms",
          goal: { op: "<=", value: 300 },
          ...(screen.missing ? { note: "not measured: see below" } : {}),
        }),
        figure({
          id: "first-screen-max",
          label: `…max of ${opens}`,
          value: screen.max === null ? null : round(screen.max),
          unit: "ms",
        }),
        figure({
          id: "first-screen-slow",
          label: `…p50 with the CPU ${THROTTLE}× slower`,
          value: screen.slowP50 === null ? null : round(screen.slowP50),
          unit: "ms",
        }),
      );
      out.notes.push(...screen.notes);
    } finally {
      await cleanup.run();
    }
    out.notes.push(
      `The change: ${CHANGE_200.modified} tracked files edited (a line in the middle, two at the end), ` +
        `${CHANGE_200.stagedAndEdited} edited, staged and edited again, ${CHANGE_200.added} new files staged, ` +
        `${CHANGE_200.deleted} deleted, ${CHANGE_200.untracked} new files untracked, in a \`git clone --no-hardlinks\` ` +
        "of this repository.",
      "listChanges: extension/core/git/changes.ts in the bench's process, every file with its staged and unstaged diffs " +
        "(git status, two batched git diff runs, a diff per untracked file). The git service's list: `listChangedFiles` " +
        "(extension/core/git/gitReads.ts), what the host answers a `git-changes` call with: git status and one " +
        "`git diff --numstat` for line counts, new files counted from disk, no diff text (the view asks for a file's " +
        "diff when it is opened). git-changes call: a Node phone's sealed call to a `tether-host` process on the same " +
        "working tree, through a relay process, until the opened answer. Floor: bare `git status --porcelain=v2 " +
        "--untracked-files=all` on the same working tree.",
    );
  },
};

async function gitChangesCalls(
  phone: PairedPhone,
  runs: number,
): Promise<{ first: number | null; p50: number | null; files: number; error?: string }> {
  const times: number[] = [];
  let files = 0;
  for (let i = 0; i <= runs; i++) {
    const t0 = now();
    const reply = await phone.call({ type: "git-changes" });
    const ms = now() - t0;
    if (!reply.ok) return { first: null, p50: null, files: 0, error: `${reply.code}: ${reply.message}` };
    if (reply.result.type !== "git-changes") return { first: null, p50: null, files: 0, error: `answered ${reply.result.type}` };
    files = reply.result.files.length + reply.result.more;
    times.push(ms);
  }
  return { first: times[0]!, p50: summarize(times.slice(1)).p50, files };
}

// 11. A task's own worktree: how long `TaskWorktrees.createTaskWorktree` takes before the task
// can start, on a copy of this repository and on the synthetic 100,000-file repository, and how
// long removing it takes when the person keeps the branch or discards both. The floor is bare
// `git worktree add -b` / `git worktree remove` / `git branch -D` on the same repository, so the
// overhead column is what the library adds (its checks of HEAD, the branch name, the changed-file
// count before a discard).

import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { TaskWorktrees, type TaskWorktree } from "../../extension/core/git/worktrees";
import { benchGitEnv, sharedMachine, cloneSyntheticTree, cloneThisRepository } from "../lib/gitRepos";
import { figure, type Figure } from "../lib/results";
import type { Scenario } from "../lib/scenario";
import { fmt, now, round, summarize } from "../lib/stats";
import { syntheticTree } from "../lib/tree";

const exec = promisify(execFile);

interface Timings {
  create: number[];
  keep: number[];
  discard: number[];
}

export const worktreeScenario: Scenario = {
  id: "worktree",
  title: "A worktree per task",
  async run(ctx, out) {
    const files = ctx.quick ? 2000 : 100_000;
    const runs = { repo: ctx.quick ? 2 : 6, synthetic: ctx.quick ? 2 : 3 };
    const env = benchGitEnv(join(ctx.tmp, "home"));
    out.notes.push(sharedMachine());

    ctx.log("copying this repository (git clone --no-hardlinks)");
    const repo = join(ctx.tmp, "this-repo");
    const copy = cloneThisRepository(repo, env);
    ctx.log(`synthetic tree of ${files} files (made once into .cache/bench/), cloned into a repository of its own`);
    const big = join(ctx.tmp, "synthetic");
    const synthetic = cloneSyntheticTree(syntheticTree(files), big, env);
    out.params = {
      repoFiles: copy.files,
      repoRuns: runs.repo,
      syntheticFiles: synthetic.files,
      syntheticRuns: runs.synthetic,
    };

    const trees = [
      { id: "repo", name: "this repository", root: repo, files: copy.files, runs: runs.repo, goal: 1000 },
      {
        id: "synthetic",
        name: `${(files / 1000).toLocaleString("en-US")}k-file tree`,
        root: big,
        files: synthetic.files,
        runs: runs.synthetic,
        goal: undefined,
      },
    ];
    for (const tree of trees) {
      ctx.log(`${tree.name}: ${tree.runs} task worktrees, and as many with bare git`);
      const { tether, floor } = await measure(tree.root, join(ctx.tmp, `work-${tree.id}`), env, tree.runs);
      const create = summarize(tether.create);
      const figures: Figure[] = [
        figure({
          id: `${tree.id}-create-p50`,
          label: `${tree.name} (${tree.files.toLocaleString("en-US")} files): a task's worktree created, p50`,
          value: round(create.p50),
          unit: "ms",
          ...(tree.goal ? { goal: { op: "<=" as const, value: tree.goal } } : {}),
          floor: round(summarize(floor.create).p50),
        }),
        figure({
          id: `${tree.id}-create-max`,
          label: `…max of ${create.n}`,
          value: round(create.max),
          unit: "ms",
          floor: round(summarize(floor.create).max),
        }),
        figure({
          id: `${tree.id}-keep`,
          label: "…removed, branch kept (keep), p50",
          value: round(summarize(tether.keep).p50),
          unit: "ms",
          floor: round(summarize(floor.keep).p50),
        }),
        figure({
          id: `${tree.id}-discard`,
          label: "…removed with its branch (discard), p50",
          value: round(summarize(tether.discard).p50),
          unit: "ms",
          floor: round(summarize(floor.discard).p50),
        }),
      ];
      out.figures.push(...figures);
      const spread = (t: number[]): string => `${fmt(Math.min(...t))}–${fmt(Math.max(...t))} ms`;
      if (create.p50 < summarize(floor.create).p50) {
        // The library runs `git worktree add` and more, so being faster than it is the machine's noise.
        out.notes.push(
          `${tree.name}: creation took ${spread(tether.create)} over ${create.n} runs, bare \`git worktree add\` ` +
            `${spread(floor.create)}: on this machine the spread between runs is larger than what the library adds.`,
        );
      }
      if (tree.id === "synthetic" && (figures[2]!.ratio ?? 0) > 1.2) {
        out.notes.push(
          `${tree.name}, removal: \`keep\` runs \`git status --untracked-files=all\` itself, so that uncommitted work is ` +
            "refused in the person's words, before `git worktree remove` checks again; `discard` also counts the changed " +
            "files again (`git diff` against the branch point and `git ls-files --others`). Each is a pass over " +
            `${tree.files.toLocaleString("en-US")} files, which the floor's single \`git worktree remove\` does once.`,
        );
      }
      if (figures[0]!.verdict === "missed") {
        out.notes.push(
          `${tree.name}: creation took ${fmt(create.p50)} ms at the median (bare \`git worktree add\` ` +
            `${fmt(summarize(floor.create).p50)} ms): almost all of it is git writing ${tree.files.toLocaleString("en-US")} ` +
            "files and their index, which a worktree needs.",
        );
      }
    }
    out.notes.push(
      `This repository: its tracked files at HEAD (${copy.commit.slice(0, 10)}), cloned with \`git clone --no-hardlinks\` ` +
        "into a temporary folder, so the worktree checks out of a repository of its own with its objects packed as a clone " +
        "leaves them (the checkout the bench runs from is not touched). The synthetic tree: bench/lib/tree.ts's files, " +
        "committed once, cloned through git's transport (`--no-local`) so its objects are packed too.",
      "Create: `TaskWorktrees.createTaskWorktree` from the call to the worktree checked out on its new `tether/<title>` " +
        "branch under the host's state folder, each run a task of its own (the first run is as cold as the page cache " +
        "lets it be; max shows it). Keep: `keep` (the worktree folder removed, the branch left); discard: `discard` with " +
        "the changed-file count confirmed (the count is taken again, the folder and the branch removed); runs alternate " +
        "between the two. The floor runs bare `git worktree add -b`, `git worktree remove` and `git branch -D` as often " +
        "on the same repository, interleaved with the library's runs.",
    );
  },
};

/**
 * `runs` task worktrees made and removed with the host's library, and as many with bare git,
 * interleaved (and which goes first alternating) so both see the same page cache and load. Even
 * runs keep, odd runs discard.
 */
async function measure(
  repo: string,
  tmp: string,
  env: NodeJS.ProcessEnv,
  runs: number,
): Promise<{ tether: Timings; floor: Timings }> {
  const worktrees = new TaskWorktrees(env);
  const stateDir = join(tmp, "state");
  const git = (...args: string[]) => exec("git", args, { cwd: repo, env: { ...process.env, ...env } });
  const tether: Timings = { create: [], keep: [], discard: [] };
  const floor: Timings = { create: [], keep: [], discard: [] };
  const removal = (i: number): number[] => (i % 2 === 0 ? tether.keep : tether.discard);
  const floorRemoval = (i: number): number[] => (i % 2 === 0 ? floor.keep : floor.discard);

  const library = async (i: number): Promise<void> => {
    let t0 = now();
    const wt: TaskWorktree = await worktrees.createTaskWorktree({
      repo,
      stateDir,
      threadId: `bench-task-${i}`,
      title: `Bench task ${i}`,
    });
    tether.create.push(now() - t0);
    t0 = now();
    if (i % 2 === 0) await worktrees.keep(wt);
    else await worktrees.discard(wt, { confirmChangedFiles: 0 });
    removal(i).push(now() - t0);
  };
  const bare = async (i: number): Promise<void> => {
    const path = join(tmp, "bare", `task-${i}`);
    const branch = `bare/task-${i}`;
    let t0 = now();
    await git("worktree", "add", "-q", "-b", branch, "--", path, "HEAD");
    floor.create.push(now() - t0);
    t0 = now();
    await git("worktree", "remove", "--", path);
    if (i % 2 === 1) await git("branch", "-D", "--", branch);
    floorRemoval(i).push(now() - t0);
  };
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      await library(i);
      await bare(i);
    } else {
      await bare(i);
      await library(i);
    }
  }
  return { tether, floor };
}

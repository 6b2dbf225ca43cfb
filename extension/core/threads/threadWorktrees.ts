// The threads' git worktrees: whether a new task gets one, making it when its run starts,
// the workspace and policy rooted there, and what is left of it when the thread goes. The
// worktree and its state are kept in the thread's meta, so a restarted host knows them.

import { existsSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { ErrorCode, TetherError, type DeviceRef, type WorktreeState } from "#protocol";
import type { Policy } from "../agent/policy/policy";
import { AgentWorkspace, type AgentWorkspaceDeps } from "../agent/tools/workspace";
import type { ThreadWorktree } from "../git/gitThreads";
import { git } from "../git/run";
import { TaskWorktrees, WorktreeRefusal, type TaskWorktree } from "../git/worktrees";
import { realOrSelf, worktreesFolder } from "../git/worktreePaths";
import type { Log } from "../log";
import type { Mirror } from "../mirror/mirror";
import type { Thread } from "./thread";
import type { ThreadStore } from "./threadStore";

/** How the host runs tasks in worktrees (`ThreadManagerOptions.worktrees`). */
export interface WorktreeSetup {
  /** A task runs in a worktree of its own unless it says otherwise (when the workspace is a repository). */
  default: boolean;
  /** The host's state folder: worktrees go under it, never inside the workspace. */
  stateDir: string;
  /** The workspace's parts (mirror, files, runner) rooted at a task's worktree. */
  workspaceAt: (root: string) => Promise<AgentWorkspaceDeps>;
  /** git's environment (tests keep the machine's git configuration out through it). */
  env?: NodeJS.ProcessEnv;
}

/** Where a worktree thread's run works: its own folder, under its own rules' root. */
export interface WorktreePlace {
  workspace: AgentWorkspace;
  /** The worktree was made just now, for this run. */
  fresh?: boolean;
  mirror: Mirror;
  policy: Policy;
}

export class ThreadWorktrees {
  private readonly tasks: TaskWorktrees;
  /** Known once `start()` has looked: the workspace is in a git repository. */
  private repository: boolean | undefined;
  private readonly places = new Map<string, Promise<WorktreePlace>>();

  constructor(
    private readonly setup: WorktreeSetup | undefined,
    private readonly deps: { store: ThreadStore; workspace: AgentWorkspace; policy: Policy; self: DeviceRef; log: Log },
  ) {
    this.tasks = new TaskWorktrees(setup?.env ?? process.env);
  }

  /** Looks whether the workspace is a repository, and removes the worktrees of threads that are gone. */
  async start(liveThreadIds: readonly string[]): Promise<void> {
    const { setup, deps } = this;
    if (!setup) return;
    this.repository = await this.tasks.isRepository(deps.workspace.root).catch(() => false);
    if (!this.repository) return;
    try {
      // Nothing to clean where Tether never made a worktree; the person's own are left alone.
      const top = await git(deps.workspace.root, ["rev-parse", "--show-toplevel"], { env: setup.env ?? process.env });
      if (!existsSync(worktreesFolder(setup.stateDir, top.stdout.trim()))) return;
      const report = await this.tasks.cleanupOrphans({ repo: deps.workspace.root, stateDir: setup.stateDir, liveThreadIds });
      for (const gone of report.removed) deps.log.info("removed the worktree of a deleted thread", { thread: gone.threadId });
      for (const kept of report.spared) {
        deps.log.warn("kept the worktree of a deleted thread: it has uncommitted changes", {
          thread: kept.threadId,
          path: kept.path,
          files: kept.files.join(", "),
        });
      }
    } catch (err) {
      deps.log.warn("could not clean up old worktrees", { error: (err as Error).message });
    }
  }

  /** What phones are told: present when a task may have a worktree, with whether it does by default. */
  get profile(): { default: boolean } | undefined {
    return this.setup && this.repository ? { default: this.setup.default } : undefined;
  }

  /**
   * Whether a new task runs in a worktree: as asked, else the host's default, else when another
   * task works in the workspace itself (they would edit the same files). A task that asks for
   * one where none can be made is refused, saying why.
   */
  async choose(asked: boolean | undefined, workspaceBusy: boolean): Promise<boolean> {
    if (asked === false) return false;
    const unready = await this.unready();
    if (asked === true) {
      if (unready) throw new TetherError(ErrorCode.BadRequest, `This task cannot run in a worktree of its own: ${unready}`);
      return true;
    }
    return unready === undefined && (this.setup!.default || workspaceBusy);
  }

  /** The same choice without looking at git again (for the editor's own tasks), from what `start()` found. */
  chooseNow(asked: boolean | undefined, workspaceBusy: boolean): boolean {
    if (asked === false) return false;
    if (asked === true) {
      if (!this.setup || !this.repository) {
        throw new TetherError(ErrorCode.BadRequest, `This task cannot run in a worktree of its own: ${this.notRepository()}`);
      }
      return true;
    }
    return this.repository === true && (this.setup!.default || workspaceBusy);
  }

  /** The thread runs in a worktree of its own (made or still to be made). */
  planned(threadId: string): boolean {
    const meta = this.deps.store.meta(threadId);
    return meta.inWorktree === true || meta.worktree !== undefined;
  }

  /** The thread's worktree and where it stands; undefined for a thread in the workspace or not made yet. */
  of(threadId: string): ThreadWorktree | undefined {
    const wt = this.deps.store.meta(threadId).worktree;
    if (!wt) return undefined;
    const { state, ...worktree } = wt;
    return { worktree, state };
  }

  /**
   * The place the thread's run works in: its worktree, made now if it is the run's first (a
   * `git` event says so), or a refusal in words when there is none to work in.
   */
  async prepare(thread: Thread): Promise<WorktreePlace> {
    const { store, self } = this.deps;
    const found = this.of(thread.id);
    if (!found) {
      let worktree: TaskWorktree;
      try {
        worktree = await this.tasks.createTaskWorktree({
          repo: this.deps.workspace.root,
          stateDir: this.setup!.stateDir,
          threadId: thread.id,
          title: thread.title,
        });
      } catch (err) {
        const words = (err as Error).message;
        thread.append({ type: "git", action: "worktree", ok: false, by: self, text: words });
        throw new Error(`Could not make the task's worktree: ${words}`, { cause: err });
      }
      store.saveMeta(thread.id, { ...store.meta(thread.id), worktree: { ...worktree, state: "open" } });
      thread.append({
        type: "git",
        action: "worktree",
        ok: true,
        by: self,
        branch: worktree.branch,
        baseBranch: worktree.baseBranch,
        commit: worktree.baseCommit,
        text: `Works in its own worktree on branch ${worktree.branch}, from ${worktree.baseBranch} at ${worktree.baseCommit.slice(0, 7)}`,
      });
      return { ...(await this.placeOf(thread.id, worktree)), fresh: true };
    }
    if (found.state !== "open") {
      throw new TetherError(
        ErrorCode.Conflict,
        `This task's worktree was ${found.state}, so it has nowhere to work; start a new task to go on.`,
      );
    }
    return this.placeOf(thread.id, found.worktree);
  }

  /** The open worktree's place (for a revert), or undefined when the thread works in the workspace. */
  async placeFor(threadId: string): Promise<WorktreePlace | undefined> {
    const found = this.of(threadId);
    if (!found) return undefined;
    if (found.state !== "open") {
      throw new TetherError(
        ErrorCode.Conflict,
        `This task's worktree was ${found.state}; its files are no longer there to change.`,
      );
    }
    return this.placeOf(threadId, found.worktree);
  }

  /** What a phone browses for the thread: its open worktree, or the workspace (undefined). */
  async mirrorOf(threadId: string): Promise<Mirror | undefined> {
    const found = this.of(threadId);
    if (!found || found.state !== "open") return undefined;
    return (await this.placeOf(threadId, found.worktree)).mirror;
  }

  /** Records where the worktree stands; a worktree that ended is no longer worked in. */
  setState(threadId: string, state: WorktreeState): void {
    const { store } = this.deps;
    const meta = store.meta(threadId);
    if (!meta.worktree) throw new TetherError(ErrorCode.BadRequest, "This task runs in the workspace, not in a worktree.");
    store.saveMeta(threadId, { ...meta, worktree: { ...meta.worktree, state } });
    if (state !== "open") this.places.delete(threadId);
  }

  /**
   * Removes an open worktree as its thread is deleted; its branch stays, it holds committed
   * work. Refused while it holds uncommitted changes, listing them.
   */
  async removeFor(threadId: string): Promise<void> {
    const found = this.of(threadId);
    if (!found || found.state !== "open") return;
    try {
      await this.tasks.keep(found.worktree);
    } catch (err) {
      if (!(err instanceof WorktreeRefusal)) throw err;
      throw new TetherError(
        ErrorCode.Conflict,
        `The task's worktree has uncommitted changes in ${err.files.join(", ")}; merge, keep or discard it first.`,
      );
    }
    this.places.delete(threadId);
  }

  private placeOf(threadId: string, worktree: TaskWorktree): Promise<WorktreePlace> {
    let place = this.places.get(threadId);
    if (!place) {
      // A workspace that is a folder inside its repository works in the same folder of the worktree.
      const inside = relative(worktree.repo, realOrSelf(this.deps.workspace.root));
      const root = inside && !inside.startsWith("..") ? join(worktree.path, ...inside.split(sep)) : worktree.path;
      place = this.setup!.workspaceAt(root).then((parts) => ({
        workspace: new AgentWorkspace(parts),
        mirror: parts.mirror,
        policy: this.deps.policy.withWorkspace(parts.mirror.root),
      }));
      place.catch(() => this.places.delete(threadId));
      this.places.set(threadId, place);
    }
    return place;
  }

  /** Why no worktree can be made from the workspace now, in words; undefined when one can. */
  private async unready(): Promise<string | undefined> {
    if (!this.setup) return "this computer does not run tasks in worktrees.";
    const root = this.deps.workspace.root;
    this.repository = await this.tasks.isRepository(root).catch(() => false);
    if (!this.repository) return this.notRepository();
    const env = { env: this.setup.env ?? process.env, allowFailure: true };
    const head = await git(root, ["symbolic-ref", "--quiet", "--short", "HEAD"], env);
    if (head.code !== 0) {
      return "the workspace is not on a branch (detached HEAD), so there is no branch to merge its work back into. Switch to a branch first.";
    }
    const commit = await git(root, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], env);
    if (commit.code !== 0) {
      return `the workspace's branch ${head.stdout.trim()} has no commits yet to branch from. Make a first commit first.`;
    }
    return undefined;
  }

  private notRepository(): string {
    return "the workspace is not a git repository.";
  }
}

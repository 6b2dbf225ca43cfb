// The host's git side on the wire, scripted: answers a phone's git calls from a repository
// kept in memory and takes its git commands, each run ending as the test says (done, or
// refused with git's own words). For the phone's screens where the real host cannot be
// made to fail on cue: a rejected push, a merge that conflicts, a worktree with uncommitted
// changes, 200 changed files.

import {
  PAIRWISE_EPOCH,
  open,
  seal,
  sealContext,
  sealedCommandSchema,
  type ChangedFileInfo,
  type Command,
  type CommandForward,
  type GitOp,
  type GitStateResult,
  type RpcCall,
  type RpcReply,
} from "#protocol";
import type { RawHost } from "./rawHost";

type GitCommand = Extract<Command, { type: "git-push" | "git-commit" | "git-pull-request" | "worktree" }>;

export interface ScriptedGit {
  state: Omit<GitStateResult, "type" | "op">;
  files: ChangedFileInfo[];
  /** Every command the phone sent, opened as the host opens them. */
  received: Command[];
  /** How a long command's run ends; by default done with "Done.". */
  outcome: (command: GitCommand) => Partial<GitOp>;
  /** The diff of a file, by path. */
  diffs: Record<string, string>;
  /** Every call the phone made. */
  calls: RpcCall[];
}

export function scriptGit(host: RawHost, initial: Pick<ScriptedGit, "state" | "files">): ScriptedGit {
  const git: ScriptedGit = { ...initial, received: [], outcome: () => ({}), diffs: {}, calls: [] };
  let op: GitOp | undefined;

  const answer = (call: RpcCall): RpcReply => {
    switch (call.type) {
      case "git-state":
        return { ok: true, result: { type: "git-state", ...git.state, ...(op ? { op } : {}) } };
      case "git-changes":
        return { ok: true, result: { type: "git-changes", files: git.files, more: 0 } };
      case "git-diff": {
        const diff = git.diffs[call.path] ?? "";
        const hunks = diff.split("\n").filter((l) => l.startsWith("@@")).length;
        return {
          ok: true,
          result: { type: "git-diff", path: call.path, side: call.side, diff, truncated: false, binary: false, hunks },
        };
      }
      case "git-draft":
        return { ok: true, result: { type: "git-draft", kind: call.kind, title: "Add rate limiting", body: "", by: "gpt-test" } };
      case "list-dir":
        return { ok: true, result: { type: "list-dir", path: call.path, entries: [], hidden: 0, truncated: false } };
      case "watch":
        return { ok: true, result: { type: "watch", leaseMs: 60_000 } };
      default:
        return { ok: false, code: "not-found", message: "not here" };
    }
  };
  host.answerCalls(async (call) => {
    git.calls.push(call);
    return answer(call);
  });

  host.socket.on("command", (req: CommandForward, reply) => {
    void (async () => {
      const key = host.commandKey(req.from)!;
      const { command } = sealedCommandSchema.parse(await open(key, req.box, sealContext.command(host.hostId, req.from, req.id)));
      git.received.push(command);
      if ("opId" in command) {
        const action = command.type === "worktree" ? command.action : command.type === "git-push" ? "push" : "commit";
        const started: GitOp = { opId: command.opId, action, state: "running", by: "e2e phone", startedAt: Date.now() };
        op = { ...started, progress: "Counting objects: 3, done." };
        // Ends a little later, as a real run does, so the phone sees it running first.
        setTimeout(
          () =>
            (op = { ...started, state: "done", message: "Done.", endedAt: Date.now(), ...git.outcome(command as GitCommand) }),
          1_200,
        );
      }
      reply({
        ok: true,
        box: await seal(key, PAIRWISE_EPOCH, { ok: true }, sealContext.commandReply(host.hostId, req.from, req.id)),
      });
    })();
  });
  return git;
}

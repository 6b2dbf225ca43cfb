// The commands that talk to paired computers, each given a connected session and its parsed
// options. What they print goes through `out` (stdout) and `note` (stderr).

import { policyModeSchema, randomId, type Decision } from "#protocol";
import { CliError, Exit } from "./errors";
import { followThread } from "./follow";
import { threadRow } from "./print";
import type { Session } from "./session";

export interface Io {
  out: (line: string) => void;
  note: (line: string) => void;
}

export async function listHosts(session: Session, io: Io): Promise<number> {
  for (const host of session.hosts) {
    const { profile, hostId } = host.record;
    const state = host.online ? "online" : "offline";
    io.out(`${profile.name}  ${state.padEnd(7)}  ${profile.workspace}  (${hostId}, mode up to ${profile.maxMode ?? "?"})`);
  }
  return Exit.Done;
}

export async function listThreads(session: Session, hostName: string | undefined, io: Io): Promise<number> {
  const hosts = hostName ? [session.host(hostName)] : session.hosts;
  for (const host of hosts) {
    const threads = await session.threads(host);
    if (hosts.length > 1) io.out(`${host.record.profile.name}:`);
    if (threads.length === 0) io.out("  (no threads)");
    for (const summary of threads) io.out(threadRow(summary));
  }
  return Exit.Done;
}

export interface RunOptions {
  host?: string | undefined;
  agent?: string | undefined;
  mode?: string | undefined;
  worktree: boolean;
  wait: boolean;
  json: boolean;
}

/** The exit code for how a thread ended. */
export function exitFor(status: string | null): number {
  if (status === "done") return Exit.Done;
  if (status === "stopped") return Exit.Stopped;
  return Exit.Failed;
}

export async function runTask(session: Session, text: string, options: RunOptions, io: Io): Promise<number> {
  const host = session.host(options.host);
  const mode = options.mode === undefined ? undefined : policyModeSchema.safeParse(options.mode);
  if (mode && !mode.success) throw new CliError(`--mode must be one of ${policyModeSchema.options.join(", ")}.`);
  const threadId = randomId();
  const outcome = await session.send(host, {
    type: "new-task",
    threadId,
    text,
    ...(mode?.success ? { mode: mode.data } : {}),
    ...(options.agent ? { agent: options.agent } : {}),
    ...(options.worktree ? { worktree: true } : {}),
  });
  // The thread id alone on stdout, so `id=$(tether run …)` works; with --json, a JSON line.
  if (options.json) io.out(JSON.stringify({ threadId, host: host.record.profile.name, queued: outcome.queued }));
  else io.out(threadId);
  if (outcome.queued) {
    io.note(`${host.record.profile.name} is offline: the task waits in the relay's inbox and starts when it connects.`);
  }
  if (!options.wait) return Exit.Done;
  const status = await followThread(session, host, threadId, { json: options.json, follow: true, ...io });
  return exitFor(status);
}

export async function showLogs(session: Session, threadId: string, follow: boolean, json: boolean, io: Io): Promise<number> {
  const { host } = await session.findThread(threadId);
  const status = await followThread(session, host, threadId, { json, follow, ...io });
  return follow ? exitFor(status) : Exit.Done;
}

export async function decide(
  session: Session,
  threadId: string,
  decision: Extract<Decision, "approve" | "deny">,
  message: string | undefined,
  io: Io,
): Promise<number> {
  const { host, summary } = await session.findThread(threadId);
  const oldest = summary.pending[0];
  if (!oldest) throw new CliError(`Thread ${threadId} has no approval waiting.`);
  await session.send(host, {
    type: "decide",
    threadId,
    approvalId: oldest.approvalId,
    decision,
    ...(message ? { message } : {}),
  });
  io.out(`${decision === "approve" ? "Approved" : "Denied"}: ${oldest.title}`);
  return Exit.Done;
}

/** Answers the question the task's agent waits on (the phone's question card, from a script). */
export async function answerQuestion(session: Session, threadId: string, text: string, io: Io): Promise<number> {
  const { host, summary } = await session.findThread(threadId);
  if (summary.status !== "awaiting-answer") throw new CliError(`Thread ${threadId} has no question waiting for an answer.`);
  const summaries = await session.threads(host);
  const others = Object.fromEntries(summaries.filter((s) => s.threadId !== threadId).map((s) => [s.threadId, s.lastSeq]));
  const events = await session.eventsAfter(host, threadId, 0, others);
  const answered = new Set(events.flatMap(({ event }) => (event.type === "answer" ? [event.questionId] : [])));
  const asked = events.findLast(({ event }) => event.type === "question" && !answered.has(event.questionId))?.event;
  if (asked?.type !== "question") throw new CliError(`Thread ${threadId} has no question waiting for an answer.`);
  await session.send(host, { type: "answer", threadId, questionId: asked.questionId, text });
  io.out(`Answered: ${asked.text}`);
  return Exit.Done;
}

/**
 * A thread's read-only links: a new one (printed alone on stdout, for `link=$(tether share …)`),
 * the list, or one revoked.
 */
export async function shareThread(
  session: Session,
  threadId: string,
  options: { list: boolean; revoke: string | undefined },
  io: Io,
): Promise<number> {
  const { host } = await session.findThread(threadId);
  if (options.revoke) {
    await session.shares(host, { type: "share-revoke", threadId, shareId: options.revoke });
    io.out(`Revoked ${options.revoke}: the link no longer opens ${threadId}.`);
    return Exit.Done;
  }
  if (options.list) {
    const { shares } = await session.shares(host, { type: "share-list", threadId });
    if (shares.length === 0) io.note(`${threadId} is not shared.`);
    for (const share of shares) io.out(`${share.shareId}  ${new Date(share.createdAt).toISOString()}  ${share.link}`);
    return Exit.Done;
  }
  const result = await session.shares(host, { type: "share-create", threadId });
  const made = result.shares.find((s) => s.shareId === result.created);
  if (!made) throw new CliError(`${host.record.profile.name} did not say which link it made.`);
  io.out(made.link);
  io.note(`Whoever has this link sees ${threadId} read-only, live, until \`tether share ${threadId} --revoke ${made.shareId}\`.`);
  return Exit.Done;
}

export async function stopThread(session: Session, threadId: string, io: Io): Promise<number> {
  const { host } = await session.findThread(threadId);
  const outcome = await session.send(host, { type: "stop", threadId });
  io.out(outcome.queued ? `Stop queued: ${host.record.profile.name} is offline.` : `Stopped ${threadId}.`);
  return Exit.Done;
}

export async function sendMessage(session: Session, threadId: string, text: string, io: Io): Promise<number> {
  const { host } = await session.findThread(threadId);
  const outcome = await session.send(host, { type: "message", threadId, text });
  io.out(outcome.queued ? `Message queued: ${host.record.profile.name} is offline.` : `Sent to ${threadId}.`);
  return Exit.Done;
}

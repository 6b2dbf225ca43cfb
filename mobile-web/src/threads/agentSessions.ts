// An outside agent's own sessions on the computer, as the new-task form offers them to continue:
// asked for only when the person taps (the question starts the agent on the computer), named by
// their titles or a short id, and aged in words. Pure, so the tests reach it.

import { AGENT_HISTORY_DEVICE, type AgentSessionsResult } from "#protocol";
import { timeAgo } from "../time/ago";

export type AgentSessionEntry = AgentSessionsResult["sessions"][number];

/**
 * The user-messages of a history taken over from a session started on the computer carry this
 * sender (the host's `HISTORY_DEVICE`): the person's words, said there, not from a phone.
 */
export const HISTORY_SENDER_ID = AGENT_HISTORY_DEVICE.id;

export type SessionsState =
  | { status: "idle" }
  | { status: "loading"; agent: string }
  | { status: "listed"; agent: string; sessions: AgentSessionEntry[] }
  /** The agent cannot list its sessions (no ACP `session/list`). */
  | { status: "unlisted"; agent: string }
  | { status: "error"; agent: string; message: string };

/** Asks the computer for `agent`'s sessions; never throws: a failure is the words to show. */
export async function askSessions(
  list: (agent: string) => Promise<AgentSessionsResult>,
  describe: (error: unknown) => string,
  agent: string,
): Promise<Exclude<SessionsState, { status: "idle" | "loading" }>> {
  try {
    const result = await list(agent);
    if (!result.listed) return { status: "unlisted", agent };
    return { status: "listed", agent, sessions: result.sessions };
  } catch (error) {
    return { status: "error", agent, message: describe(error) };
  }
}

/** Ids are long and opaque: their start tells sessions apart. */
export function shortId(id: string): string {
  return id.length > 10 ? `${id.slice(0, 8)}…` : id;
}

/** The session's title on one line, or its id shortened when it has none. */
export function sessionName(session: Pick<AgentSessionEntry, "sessionId" | "title">): string {
  const title = session.title?.replace(/\s+/g, " ").trim();
  return title ? title : `Session ${shortId(session.sessionId)}`;
}

/** "Used 5 min ago", or nothing when the agent did not say. */
export function sessionUsed(session: Pick<AgentSessionEntry, "updatedAt">, now: number): string {
  return session.updatedAt === undefined ? "" : `Used ${timeAgo(session.updatedAt, now)}`;
}

/** The words for a list that has nothing to choose from, or null when it has. */
export function emptyWords(state: SessionsState, agentName: string): string | null {
  if (state.status === "unlisted") return `${agentName} cannot list its sessions`;
  if (state.status === "listed" && state.sessions.length === 0) return "No sessions in this workspace";
  return null;
}

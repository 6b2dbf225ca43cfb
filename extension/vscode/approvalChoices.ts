// The choices the editor offers on an approval, free of `vscode` so the tests reach them: the
// phone card's decisions, each with a short label for the notification (VS Code cuts a toast's
// buttons to a few letters when their words are long: "Ap…", "D…") and the card's full words for
// the list of pending approvals. An outside agent's request carries its own options; each
// decision then names the agent's option of its kind (the decide command's `optionId`), and a
// "reject always" the agent offers becomes a choice of its own.

import { choiceLabel, type AgentPermissionOption, type Command, type Decision, type ThreadEvent } from "#protocol";

type Requested = Extract<ThreadEvent, { type: "approval-requested" }>;

export interface EditorChoice {
  decision: Decision;
  /** For the notification's button. */
  short: string;
  /** As the phone's card says it. */
  full: string;
  /** The outside agent's option this choice answers with. */
  optionId?: string;
  /** That option as the agent names it. */
  agentWords?: string;
}

/** The kinds of an agent's option each decision may answer with, preferred first (as the host admits them). */
const OPTION_KINDS: Record<Decision, readonly AgentPermissionOption["kind"][]> = {
  approve: ["allow_once"],
  "approve-always": ["allow_always", "allow_once"],
  "approve-on-computer": ["allow_always", "allow_once"],
  deny: ["reject_once", "reject_always"],
  stop: [],
};

const SHORT: Record<Decision, string> = {
  approve: "Approve",
  "approve-always": "Always for this task",
  "approve-on-computer": "On this computer",
  deny: "Deny",
  stop: "Stop",
};

/**
 * A decision from the panel's card (the phone's, which offers Tether's choices only) with the
 * outside agent's option of its kind, as the notification sends it; unchanged when it names one.
 */
export function withAgentOption(command: Command, request: Requested | undefined): Command {
  if (command.type !== "decide" || command.optionId !== undefined || !request) return command;
  const option = agentOption(request, command.decision);
  return option ? { ...command, optionId: option.optionId } : command;
}

function agentOption(request: Requested, decision: Decision): AgentPermissionOption | undefined {
  for (const kind of OPTION_KINDS[decision]) {
    const option = request.options?.find((o) => o.kind === kind);
    if (option) return option;
  }
  return undefined;
}

function choice(request: Requested, decision: Decision, option = agentOption(request, decision)): EditorChoice {
  return {
    decision,
    short: SHORT[decision],
    full: choiceLabel(decision, request),
    ...(option ? { optionId: option.optionId, agentWords: option.name } : {}),
  };
}

/** The choices that approve, in the order the phone's card shows them; the last only when the host offers it. */
export function approveChoices(request: Requested): EditorChoice[] {
  const decisions: Decision[] = request.computerRule
    ? ["approve", "approve-always", "approve-on-computer"]
    : ["approve", "approve-always"];
  return decisions.map((d) => choice(request, d));
}

/** Deny, and the agent's own "reject always" when it offers one besides its "reject once". */
export function denyChoices(request: Requested): EditorChoice[] {
  const deny = choice(request, "deny");
  const always = request.options?.find((o) => o.kind === "reject_always");
  if (!always || always.optionId === deny.optionId) return [deny];
  return [deny, { ...choice(request, "deny", always), short: "Deny always", full: `Deny, and ${always.name}` }];
}

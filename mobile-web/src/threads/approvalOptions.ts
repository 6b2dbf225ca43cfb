// An outside agent's own answers to a permission request, as the approval card's buttons: each
// with the decision Tether's gate records and the option the agent is told was chosen.

import type { AgentPermissionOption, Decision } from "#protocol";

export interface OptionButton {
  optionId: string;
  /** The agent's own words for it ("Allow always"). */
  name: string;
  kind: AgentPermissionOption["kind"];
  decision: Decision;
}

const DECISION: Record<AgentPermissionOption["kind"], Decision> = {
  allow_once: "approve",
  allow_always: "approve-always",
  reject_once: "deny",
  reject_always: "deny",
};

/** Allows before rejects, once before always: the safest answer of each side comes first. */
const ORDER: AgentPermissionOption["kind"][] = ["allow_once", "allow_always", "reject_once", "reject_always"];

export function optionButtons(options: readonly AgentPermissionOption[]): OptionButton[] {
  return [...options]
    .sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind))
    .map((o) => ({ optionId: o.optionId, name: o.name, kind: o.kind, decision: DECISION[o.kind] }));
}

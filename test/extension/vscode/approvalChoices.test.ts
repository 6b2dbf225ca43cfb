import assert from "node:assert/strict";
import type { ThreadEvent } from "#protocol";
import { approveChoices, denyChoices, withAgentOption } from "../../../extension/vscode/approvalChoices";

type Requested = Extract<ThreadEvent, { type: "approval-requested" }>;

const request: Requested = {
  type: "approval-requested",
  at: 1,
  approvalId: "a1",
  callId: "c1",
  tool: "execute",
  kind: "command",
  command: "npm run build -- --watch=false --verbose",
  cwd: ".",
  reason: "",
  rule: "mode auto-edit: commands ask",
};

describe("the editor's approval choices", () => {
  it("keeps the notification's labels short and the card's words whole", () => {
    const choices = [...approveChoices({ ...request, computerRule: "npm run build" }), ...denyChoices(request)];
    assert.deepEqual(
      choices.map((c) => c.short),
      ["Approve", "Always for this task", "On this computer", "Deny"],
    );
    for (const c of choices) assert.ok(c.short.length <= 20, `"${c.short}" is short`);
    assert.match(choices[1]!.full, /^Allow `npm run build.*` for the rest of this task$/);
    assert.equal(choices[2]!.full, "Always on this computer");
    // Tether's own agent offers no options: the decision goes alone.
    assert.ok(choices.every((c) => c.optionId === undefined));
  });

  it("answers an outside agent with its option of each decision's kind, never by position", () => {
    const options: Requested["options"] = [
      { optionId: "no-forever", name: "Never", kind: "reject_always" },
      { optionId: "yes-forever", name: "Always allow", kind: "allow_always" },
      { optionId: "no", name: "Reject", kind: "reject_once" },
      { optionId: "yes", name: "Allow", kind: "allow_once" },
    ];
    const asked = { ...request, options };
    const approve = approveChoices(asked);
    assert.deepEqual(
      approve.map((c) => [c.decision, c.optionId, c.agentWords]),
      [
        ["approve", "yes", "Allow"],
        ["approve-always", "yes-forever", "Always allow"],
      ],
    );
    const deny = denyChoices(asked);
    assert.deepEqual(
      deny.map((c) => [c.decision, c.optionId, c.short]),
      [
        ["deny", "no", "Deny"],
        ["deny", "no-forever", "Deny always"],
      ],
    );
    // An agent with no allow-once option: Approve goes without one, and the host picks by kind.
    const onlyAlways = approveChoices({ ...request, options: options.filter((o) => o.kind !== "allow_once") });
    assert.equal(onlyAlways[0]!.optionId, undefined);
    assert.equal(onlyAlways[1]!.optionId, "yes-forever");
  });

  it("gives the panel card's decision the agent's option of its kind, and leaves Tether's own alone", () => {
    const options: Requested["options"] = [
      { optionId: "no", name: "Reject", kind: "reject_once" },
      { optionId: "yes", name: "Allow", kind: "allow_once" },
    ];
    const decide = { type: "decide", threadId: "t", approvalId: "a1", decision: "approve" } as const;
    assert.deepEqual(withAgentOption(decide, { ...request, options }), { ...decide, optionId: "yes" });
    assert.deepEqual(withAgentOption({ ...decide, decision: "deny" }, { ...request, options }), {
      ...decide,
      decision: "deny",
      optionId: "no",
    });
    // A stop answers with no option; Tether's own agent offers none; a choice already named stays.
    assert.deepEqual(withAgentOption({ ...decide, decision: "stop" }, { ...request, options }), { ...decide, decision: "stop" });
    assert.deepEqual(withAgentOption(decide, request), decide);
    assert.deepEqual(withAgentOption({ ...decide, optionId: "no" }, { ...request, options }), { ...decide, optionId: "no" });
  });
});

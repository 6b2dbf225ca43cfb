import assert from "node:assert/strict";
import { askReason, choiceLabel, decidedWords } from "#protocol/approvalWords";

describe("the words of an approval", () => {
  const command = { kind: "command" as const, command: "npm test" };

  it("says the mode's own ask as the person's choice", () => {
    assert.equal(askReason({ kind: "edit", rule: "mode ask: edits ask" }), "You chose Ask: each edit needs your OK.");
    assert.equal(askReason({ ...command, rule: "mode ask: commands ask" }), "You chose Ask: each command needs your OK.");
    assert.equal(askReason({ ...command, rule: "mode auto-edit: commands ask" }), "You chose Auto-edit: commands need your OK.");
    assert.equal(
      askReason({ ...command, rule: "mode ask: edits ask", why: "It writes to out.txt." }),
      "You chose Ask: each edit needs your OK, and this command writes a file.",
    );
  });

  it("says when the gate could not fully read the command, and which listed option asked", () => {
    assert.equal(
      askReason({ ...command, rule: "cannot be analysed", why: "This command line could not be checked: it uses eval." }),
      "Tether could not fully read this command, so it needs your OK. This command line could not be checked: it uses eval.",
    );
    assert.equal(
      askReason({ ...command, rule: "option: find -exec", why: "`find -exec` runs a program." }),
      "`find -exec` runs a program. That needs your OK.",
    );
    assert.equal(
      askReason({ ...command, rule: 'not covered by allow rule "git"', why: "`git -c` sets a setting that may run a program." }),
      'Your rule "git" does not cover this: `git -c` sets a setting that may run a program.',
    );
    assert.equal(
      askReason({ ...command, rule: "protected place: .git/", why: "It writes into .git/, a protected place." }),
      "It writes into .git/, a protected place.",
    );
  });

  it("gives each choice its scope", () => {
    assert.equal(choiceLabel("approve-always", { ...command, rule: "" }), "Allow `npm test` for the rest of this task");
    assert.equal(choiceLabel("approve-always", { kind: "edit", rule: "" }), "Allow all edits in this task");
    assert.equal(choiceLabel("approve-on-computer", { ...command, rule: "" }), "Always on this computer");
    assert.equal(decidedWords("approve-on-computer"), "Allowed on this computer");
  });
});

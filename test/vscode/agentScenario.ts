// The outside agent the editor runs in the in-editor agent test: a scripted ACP agent
// (test/support/acpAgent/) named in `tether.agents`, that says what it does, asks permission
// for a command, and on the person's approval reports the command's output. Its session offers
// two models, which the editor's New Task offers once the host has seen them.

import { permissionOptions, step, type AgentScript } from "../support/acpAgent/script";

export const otters = {
  /** The name in `tether.agents`. */
  agent: "scripted",
  task: "Count the otters in the notes",
  /** The second task, denied from the panel's card. */
  again: "Count the otters once more",
  command: "grep -c otter notes/river.md",
  opening: "Counting the otters in the river notes.",
  output: "otters: 7",
  summary: "Seven otters in the river notes.",
  refused: "Left the notes alone.",
};

const call = { toolCallId: "count-1", title: "Count the otters", kind: "execute" as const };

export const otterScript: AgentScript = {
  configOptions: [
    {
      type: "select",
      id: "model",
      name: "Model",
      category: "model",
      currentValue: "brook",
      options: [
        { value: "brook", name: "Brook" },
        { value: "estuary", name: "Estuary" },
      ],
    },
  ],
  turns: [
    [
      step.say(otters.opening),
      step.toolCall({ ...call, status: "pending", rawInput: { command: otters.command } }),
      step.permission({ ...call, rawInput: { command: otters.command } }, permissionOptions),
      step.ifAllowed(
        [
          step.toolUpdate({
            toolCallId: call.toolCallId,
            status: "completed",
            content: [{ type: "content", content: { type: "text", text: otters.output } }],
          }),
          step.say(otters.summary),
        ],
        [step.say(otters.refused)],
      ),
    ],
  ],
};

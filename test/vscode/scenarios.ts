// The model's side of the in-editor tests. The outer test (extension.vscode.test.ts) serves these
// turns from a scripted OpenAI-compatible server, the model configured in the workspace's settings;
// the suites inside VS Code send the tasks and check what the agent did. Each task names its
// scenario by a marker in its text, and a turn is picked by how many answers the model already
// gave in the conversation, so threads can run at once and every editor session sees the same.

import type { FakeFailure, FakeTurn, OpenAIBody } from "../support/fakeModels";

export const MODEL_NAME = "vscode-test-model";

type Turn = (body: OpenAIBody) => FakeTurn;

/** The first line of the test workspace's README.md. */
export const README_TITLE = "Tether's VS Code test workspace";

/** Reads a workspace file and answers with what it found there. */
export const summarise = {
  task: "Summarise this workspace's README (egret-2291)",
  found: `The README is titled "${README_TITLE}".`,
};

/** Runs a command that writes a file: it asks first (mode ask). */
export const ledger = {
  task: "Record the payment in the ledger (ibis-5120)",
  command: "echo paid-ibis-5120 > ibis-ledger.txt",
  file: "ibis-ledger.txt",
  content: "paid-ibis-5120\n",
};

/** Edits a file the suite wrote first (run in auto-edit mode, so without asking). */
export const wren = {
  task: "Count the fourth wren nest (wren-8812)",
  file: "wren-notes.md",
  before: "# Wrens\n\nnests: 3\n",
  after: "# Wrens\n\nnests: 4\n",
};

/**
 * Edits a file the repository has committed, in the task's own worktree (worktree.vscode.test.ts);
 * the person then adds `sighting` there and commits both before merging.
 */
export const dipper = {
  task: "Count the second dipper nest (dipper-4410)",
  file: "dipper-notes.md",
  before: "# Dippers\n\nnests: 1\n",
  after: "# Dippers\n\nnests: 2\n",
  sighting: {
    file: "dipper-sightings.md",
    text: "# Sightings\n\n- 07:10 a dipper by the second nest\n",
    message: "Count the second dipper nest, with the sighting",
  },
};

/**
 * After `dipper` merged: another worktree task edits the same line, while the workspace's main
 * moves on to another count, so merging it back conflicts (worktree.vscode.test.ts).
 */
export const ouzel = {
  task: "Recount the dipper nests after the flood (ouzel-5521)",
  after: "# Dippers\n\nnests: 3\n",
  onMain: "# Dippers\n\nnests: 5\n",
  message: "Recount after the flood",
};

/** For the thread panel: reads, writes a file, asks before a command that prints two lines, sums up. */
export const heron = {
  task: "Note the herons by the pond (heron-3307)",
  file: "heron-notes.md",
  command: "printf 'herons: 2\\npond: quiet\\n'",
  summary: "Two herons by the pond, noted in heron-notes.md.",
};

/** A task that only finishes, to be deleted afterwards. */
export const plover = {
  task: "Forget the plover count (plover-4471)",
};

/** A model that takes its time: a word a second, so a run is still streaming when its window goes. */
export const cranes = {
  task: "Count the cranes, slowly (crane-6604)",
};

/**
 * Deletes a file with `rm`. A cloned repository's settings switch on full-auto and allow `rm`,
 * which must not count: the user's settings say ask. With the user's full-auto it runs unasked.
 */
export const magpie = {
  task: "Clear out the old magpie tally (magpie-7730)",
  file: "magpie-old.txt",
  command: "rm magpie-old.txt",
  summary: "The old magpie tally is dealt with.",
};

/**
 * Started from the sidebar with `@README.md` chosen from the completion: the file's content
 * arrives with the task (the summary says whether it did), and a command asks first.
 */
export const kestrel = {
  task: "Note the kestrel on the perch (kestrel-5518)",
  /** What is typed: the task, then a mention of the README picked from the completion. */
  typed: "Note the kestrel on the perch (kestrel-5518), as",
  command: "echo perch-kestrel > kestrel.txt",
  file: "kestrel.txt",
  withReadme: "The README came with the task; the kestrel is noted.",
  withoutReadme: "The task came without the README.",
};

/** Asked about a selection of README.md: the selected line arrives quoted with the task. */
export const finch = {
  task: "What is this line about (finch-2044)?",
  withSelection: "The selected README line came with the task.",
  withoutSelection: "No selection came with the task.",
};

/** A file sent from the explorer with "Ask Tether about this": its content arrives with the task. */
export const owl = {
  task: "Describe this file for the owl survey (owl-6190)",
  withFile: "The README from the explorer came with the task.",
  withoutFile: "No file came with the task.",
};

/** A plain command the gate fully reads, so "Always on this computer" is offered for it (rule `ls`). */
export const siskin = {
  task: "List the siskin notes (siskin-3307)",
  command: "ls README.md",
  rule: "ls",
};

/**
 * Writes a GitHub token into a file in auto-edit, where edits go unasked: the secret scan asks,
 * in the editor too, with the finding redacted. The token is put together here so that this
 * file does not read as a leaked one; it works nowhere.
 */
export const robin = {
  task: "Wire the robin feeder's deploy token (robin-8123)",
  file: "robin-deploy.ts",
  content: `export const token = "${["ghp_", "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx"].join("")}";\n`,
  why: "Secret scan: this edit would write a GitHub token on line 1 (ghp_…, 40 characters) to robin-deploy.ts.",
};

const finish = (summary: string): FakeTurn => ({ toolCalls: [{ name: "finish", args: { summary } }] });

const SCRIPTS: [{ task: string }, Turn[]][] = [
  [
    summarise,
    [
      () => ({ text: "Reading the README.", toolCalls: [{ name: "read_file", args: { path: "README.md" } }] }),
      (body) => finish(toolResults(body).includes(README_TITLE) ? summarise.found : "read_file did not return the README."),
    ],
  ],
  [
    ledger,
    [
      () => ({ toolCalls: [{ name: "run_command", args: { command: ledger.command, reason: "write the payment down" } }] }),
      () => finish("The payment is in ibis-ledger.txt."),
    ],
  ],
  [
    wren,
    [
      () => ({
        toolCalls: [
          { name: "edit_file", args: { path: wren.file, old_text: "nests: 3", new_text: "nests: 4", reason: "a new nest" } },
        ],
      }),
      () => finish("Four nests now."),
    ],
  ],
  [
    dipper,
    [
      () => ({
        toolCalls: [
          { name: "edit_file", args: { path: dipper.file, old_text: "nests: 1", new_text: "nests: 2", reason: "a new nest" } },
        ],
      }),
      () => finish("Two nests now."),
    ],
  ],
  [
    ouzel,
    [
      () => ({
        toolCalls: [
          { name: "edit_file", args: { path: dipper.file, old_text: "nests: 2", new_text: "nests: 3", reason: "the recount" } },
        ],
      }),
      () => finish("Three nests after the flood."),
    ],
  ],
  [
    heron,
    [
      () => ({ text: "Reading the notes first.", toolCalls: [{ name: "read_file", args: { path: "README.md" } }] }),
      () => ({
        text: "Writing down today's count.",
        toolCalls: [{ name: "write_file", args: { path: heron.file, content: "# Herons\n\npond: 2\n", reason: "the count" } }],
      }),
      () => ({ toolCalls: [{ name: "run_command", args: { command: heron.command, reason: "check the count" } }] }),
      () => finish(heron.summary),
    ],
  ],
  [plover, [() => finish("Nothing to count.")]],
  [
    siskin,
    [
      () => ({ toolCalls: [{ name: "run_command", args: { command: siskin.command, reason: "see the notes" } }] }),
      () => finish("The siskin notes are there."),
    ],
  ],
  [
    magpie,
    [
      () => ({ toolCalls: [{ name: "run_command", args: { command: magpie.command, reason: "the old tally goes" } }] }),
      () => finish(magpie.summary),
    ],
  ],
  [
    kestrel,
    [
      () => ({ toolCalls: [{ name: "run_command", args: { command: kestrel.command, reason: "note the kestrel" } }] }),
      (body) => finish(userText(body).includes(README_TITLE) ? kestrel.withReadme : kestrel.withoutReadme),
    ],
  ],
  [
    finch,
    [
      (body) =>
        finish(
          userText(body).includes(`Selected in README.md, line 1:\n\`\`\`\n# ${README_TITLE}\n\`\`\``)
            ? finch.withSelection
            : finch.withoutSelection,
        ),
    ],
  ],
  [
    owl,
    [
      (body) =>
        finish(userText(body).includes(`Content of @README.md:\n\`\`\`\n# ${README_TITLE}`) ? owl.withFile : owl.withoutFile),
    ],
  ],
  [
    robin,
    [
      () => ({ toolCalls: [{ name: "write_file", args: { path: robin.file, content: robin.content, reason: "deploys" } }] }),
      () => finish("The robin feeder's token is not written."),
    ],
  ],
  [cranes, [() => ({ text: Array.from({ length: 60 }, (_, i) => `crane ${i + 1},`).join(" "), delayMs: 1_000 })]],
];

/** The scripted server's answer to one request. */
export function modelTurn(body: OpenAIBody): FakeTurn | FakeFailure {
  const asked = body.messages.filter((m) => m.role === "user").map((m) => textOf(m.content));
  const turns = SCRIPTS.find(([scenario]) => asked.some((text) => text.includes(scenario.task)))?.[1];
  const turn = turns?.[body.messages.filter((m) => m.role === "assistant").length];
  // 400, not 5xx: the agent does not retry it, the thread fails at once with this message.
  if (!turn) return { status: 400, message: `No scripted turn for this request (tasks: ${asked.join(" | ")}).` };
  return turn(body);
}

function userText(body: OpenAIBody): string {
  return body.messages
    .filter((m) => m.role === "user")
    .map((m) => textOf(m.content))
    .join("\n");
}

function toolResults(body: OpenAIBody): string {
  return body.messages
    .filter((m) => m.role === "tool")
    .map((m) => textOf(m.content))
    .join("\n");
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((part: { text?: string }) => part.text ?? "").join("");
  return "";
}

// The system prompt: who the agent is, where it works, how to use its tools, and the
// project's own instructions (AGENTS.md, CLAUDE.md, .github/copilot-instructions.md).

import type { PolicyMode } from "#protocol";
import type { AgentWorkspace } from "../agent/tools/workspace";

export const INSTRUCTION_FILES = ["AGENTS.md", "CLAUDE.md", ".github/copilot-instructions.md"] as const;
const MAX_INSTRUCTIONS_CHARS = 24_000;

const MODE_TEXT: Record<PolicyMode, string> = {
  "read-only": "Read-only mode: you may read and search, but edits and commands are refused. Answer, explain or plan.",
  ask: "Edits and commands need the user's approval, which may take a while: they are away from the desk. Batch your work so you ask rarely, and say why in the reason field.",
  "auto-edit": "You may edit files freely; commands need the user's approval, which may take a while.",
  "full-auto": "You may edit files and run commands without asking, except commands the user's rules forbid.",
};

export async function systemPrompt(options: {
  workspace: AgentWorkspace;
  workspaceName: string;
  mode: PolicyMode;
  platform: string;
  date: Date;
}): Promise<string> {
  const { workspace, workspaceName, mode, platform, date } = options;
  const parts = [
    `You are a coding agent working in the project "${workspaceName}" on the user's own computer (${platform}). ` +
      `The user follows your work from their phone and may send messages while you work; read them and adjust.`,
    `Today is ${date.toISOString().slice(0, 10)}. Paths are relative to the project root.`,
    [
      "How to work:",
      "- Look before you change: list_dir, search and read_file first; read only the parts you need.",
      "- Change files with edit_file (exact replacement; include enough surrounding text to be unique) or write_file for new files.",
      "- Run tests and builds with run_command, with a short reason. Commands run in a non-interactive shell; never start servers that do not exit.",
      "- If something is unclear and guessing would be costly, ask_user with one short question.",
      "- When the task is done, call finish with a short summary: what you changed, how you checked it, anything left to do.",
      "- If a command or edit is denied, read the user's message and find another way; do not retry the same thing.",
    ].join("\n"),
    MODE_TEXT[mode],
  ];
  let budget = MAX_INSTRUCTIONS_CHARS;
  for (const file of INSTRUCTION_FILES) {
    let text: string;
    try {
      text = await workspace.readText(file);
    } catch {
      continue;
    }
    if (budget <= 0) break;
    const body = text.length > budget ? text.slice(0, budget) + "\n[…cut]" : text;
    budget -= body.length;
    parts.push(`Project instructions from ${file}:\n${body.trim()}`);
  }
  return parts.join("\n\n");
}

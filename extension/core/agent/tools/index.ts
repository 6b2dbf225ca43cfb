// The agent's tools, as one set.

import { askUserTool, finishTool } from "./control";
import { deleteFileTool, editFileTool, writeFileTool } from "./fileEdits";
import { listDirTool } from "./listDir";
import { readFileTool } from "./readFile";
import { runCommandTool } from "./runCommand";
import { searchTool } from "./search";
import type { Tool } from "./tool";

export { capText, type CapOptions, type Capped } from "./cap";
export type { FileEdit, Tool, ToolContext, ToolKind, ToolOutput } from "./tool";
export { AgentWorkspace, MAX_TEXT_BYTES, type AgentWorkspaceDeps, type CommandRequest, type WriteTarget } from "./workspace";
export type { ProcessRunner, RunRequest, RunResult, WorkspaceFiles } from "./ports";

/** Every tool the agent is offered, in the order the model sees them. */
export function createTools(): Tool[] {
  return [
    listDirTool,
    readFileTool,
    searchTool,
    editFileTool,
    writeFileTool,
    deleteFileTool,
    runCommandTool,
    askUserTool,
    finishTool,
  ] as Tool[];
}

/** The tool the model named, if there is one. */
export function toolByName(name: string, tools: readonly Tool[] = createTools()): Tool | undefined {
  return tools.find((t) => t.spec.name === name);
}

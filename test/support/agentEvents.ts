// Thread events with the shapes and sizes of a real agent run: tool calls, results with command
// output, text, diffs and status changes, as the relay stores them.

import { randomId, type ThreadEvent } from "#protocol";

const by = { id: "bench-phone", name: "bench phone" };

/** `bytes` of text that looks like program output, in lines of 80 characters or fewer. */
export function outputText(bytes: number, seed = 0): string {
  const words = ["compiling", "src/index.ts", "ok", "PASS", "test/relay.test.ts", "(12 ms)", "warning:", "unused", "import"];
  const lines: string[] = [];
  let size = 0;
  for (let i = seed; size < bytes; i++) {
    const line = `${String(i).padStart(5, " ")} ${words[i % words.length]} ${words[(i * 7) % words.length]} ${"-".repeat(i % 40)}`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join("\n").slice(0, bytes);
}

/** A unified diff of `lines` changed lines (half removed, half added). */
export function diffText(lines: number, path = "src/module.ts"): string {
  const out = [`--- a/${path}`, `+++ b/${path}`, `@@ -1,${lines / 2} +1,${lines / 2} @@`];
  for (let i = 0; i < lines / 2; i++) out.push(`-  const value${i} = compute(${i}); // before`);
  for (let i = 0; i < lines / 2; i++) out.push(`+  const value${i} = computeFaster(${i}, options); // after`);
  return out.join("\n");
}

/**
 * The `i`th event of an hour of agent work, in cycles of ten: text, two file reads, a command
 * (`npm test`) and its output of a few KB, a status change. Every hundredth event's command
 * output is a long one (the host caps it at 30,000 characters), and one status change in every
 * hundred is a diff instead. Each result follows its call, as the host records them.
 */
export function agentEvent(i: number): ThreadEvent {
  const at = Date.now();
  const call = `call_${i - (i % 2 === 0 ? 1 : 0)}`;
  switch (i % 10) {
    case 0:
      return { at, type: "assistant-text", text: `Step ${i}: I'll look at the failing test and the module it covers next.` };
    case 1:
    case 5:
      return {
        at,
        type: "tool-call",
        callId: call,
        tool: "read_file",
        args: { path: `src/file${i % 97}.ts` },
        title: `src/file${i % 97}.ts`,
      };
    case 2:
    case 6:
      return { at, type: "tool-result", callId: call, tool: "read_file", ok: true, output: outputText(600 + (i % 7) * 200, i) };
    case 3:
      return { at, type: "tool-call", callId: call, tool: "run_command", args: { command: "npm test" }, title: "npm test" };
    case 4: {
      const long = i % 100 === 4;
      return {
        at,
        type: "tool-result",
        callId: call,
        tool: "run_command",
        ok: true,
        output: outputText(long ? 30_000 : 3_000, i),
        ...(long ? { truncated: "output cut to the last 400 lines (2.1 MB in all)" } : {}),
        exitCode: 0,
        durationMs: 4200,
      };
    }
    case 7:
      return { at, type: "assistant-text", text: "The tests pass now; next I'll tidy the module." };
    case 8:
      if (i % 100 === 8) {
        return {
          at,
          type: "file-change",
          path: "src/module.ts",
          change: "modified",
          diff: diffText(200),
          added: 100,
          removed: 100,
          truncated: false,
        };
      }
      return { at, type: "assistant-text", text: "Reading the next file." };
    default:
      return { at, type: "status", status: "running" };
  }
}

/** An approval-resolved event, the one a decision produces. */
export function resolvedEvent(approvalId = randomId(12)): ThreadEvent {
  return { at: Date.now(), type: "approval-resolved", approvalId, decision: "approve", by };
}

// An ACP agent for the bench: a prompt "permissions N" asks for N commands one after another,
// each through `session/request_permission`, and writes when each answer arrived (epoch
// milliseconds with fractions, from `performance`) to the file named by BENCH_ACP_TIMES.
// Plain JavaScript, so it starts as fast as Node does.

import { appendFileSync } from "node:fs";
import { Readable, Writable } from "node:stream";
import * as acp from "@agentclientprotocol/sdk";

const clock = () => performance.timeOrigin + performance.now();
const stream = acp.ndJsonStream(Writable.toWeb(process.stdout), Readable.toWeb(process.stdin));
const options = [
  { optionId: "once", name: "Allow", kind: "allow_once" },
  { optionId: "always", name: "Always allow", kind: "allow_always" },
  { optionId: "reject", name: "Reject", kind: "reject_once" },
];

acp
  .agent({ name: "bench" })
  .onRequest(acp.methods.agent.initialize, () => ({ protocolVersion: acp.PROTOCOL_VERSION, agentCapabilities: {} }))
  .onRequest(acp.methods.agent.session.new, () => ({ sessionId: `s-${process.pid}` }))
  .onNotification(acp.methods.agent.session.cancel, () => undefined)
  .onRequest(acp.methods.agent.session.prompt, async ({ params, client }) => {
    const text = params.prompt.find((b) => b.type === "text")?.text ?? "";
    const count = Number(/permissions (\d+)/.exec(text)?.[1] ?? 0);
    const update = (u) => client.notify(acp.methods.client.session.update, { sessionId: params.sessionId, update: u });
    const times = [];
    for (let i = 0; i < count; i++) {
      const toolCallId = `call-${i}`;
      await update({
        sessionUpdate: "tool_call",
        toolCallId,
        title: "npm test",
        kind: "execute",
        status: "pending",
        rawInput: { command: "npm test" },
      });
      const answer = await client.request(acp.methods.client.session.requestPermission, {
        sessionId: params.sessionId,
        toolCall: { toolCallId },
        options,
      });
      times.push(clock());
      await update({
        sessionUpdate: "tool_call_update",
        toolCallId,
        status: answer.outcome.outcome === "selected" ? "completed" : "failed",
      });
    }
    if (process.env.BENCH_ACP_TIMES && times.length) appendFileSync(process.env.BENCH_ACP_TIMES, JSON.stringify(times) + "\n");
    return { stopReason: "end_turn" };
  })
  .connect(stream);

// ask_user and finish: the agent loop handles both; they are tools so the model can call them.

import { z } from "zod";
import { defineTool, oneLine } from "./define";

const askArgs = z.object({
  question: z.string().trim().min(1).describe("One short, specific question, answerable from a phone in a few words."),
});

export const askUserTool = defineTool<z.infer<typeof askArgs>>({
  name: "ask_user",
  kind: "ask",
  description:
    "Ask the user a question and wait for the answer. They are away from the desk and answer from their phone, " +
    "possibly much later, so ask only when a wrong guess would be costly, and ask one clear question with the options you see.",
  args: askArgs,
  title: (a) => oneLine(a.question),
});

const finishArgs = z.object({
  summary: z
    .string()
    .trim()
    .min(1)
    .describe(
      "What you changed, how you checked it (tests, build), and anything left for the user to do. A few sentences or bullets.",
    ),
});

export const finishTool = defineTool<z.infer<typeof finishArgs>>({
  name: "finish",
  kind: "finish",
  description:
    "End the task with a summary for the user, who reads it on their phone. Call it once, when the work is done or cannot go on.",
  args: finishArgs,
  title: (a) => oneLine(a.summary),
});

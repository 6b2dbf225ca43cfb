// What the new-task form says about the computer's model before anything is typed, from the
// check the host ran at start and published in its profile.

import type { ModelStatus } from "#protocol";

export type ModelNotice =
  /** No model configured: the form says what to do on the computer. */
  | { kind: "missing" }
  /** The model server refused or did not answer: one sentence with the host and the reason. */
  | { kind: "error"; text: string };

/** Nothing to say when the model answered, or the computer did not check (an older host). */
export function modelNotice(status: ModelStatus | undefined): ModelNotice | undefined {
  if (!status || status.state === "ok") return undefined;
  if (status.state === "missing") return { kind: "missing" };
  const where = status.server ? ` at ${status.server}` : "";
  const reason = status.detail?.trim().replace(/[.\s]+$/, "");
  return { kind: "error", text: `The computer could not reach its model server${where}${reason ? `: ${reason}` : ""}.` };
}

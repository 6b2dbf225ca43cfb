/** Why a push failed, in the few kinds a person can act on; `message` is git's own text. */
export type PushFailureCode = "rejected" | "no-upstream" | "authentication" | "no-remote" | "detached" | "failed";

export interface PushFailure {
  code: PushFailureCode;
  message: string;
}

// Matched against git's and ssh's English output; anything else stays "failed" with git's text intact.
const PATTERNS: readonly [PushFailureCode, RegExp][] = [
  ["rejected", /\[rejected\]|\(non-fast-forward\)|\(fetch first\)|failed to push some refs|Updates were rejected/i],
  [
    "authentication",
    /Authentication failed|could not read (Username|Password)|Permission denied|terminal prompts disabled|HTTP Basic: Access denied|returned error: 40[13]|invalid username or password/i,
  ],
  ["no-upstream", /has no upstream branch|no upstream configured/i],
  [
    "no-remote",
    /does not appear to be a git repository|No configured push destination|Could not resolve host|repository .* not found|Could not read from remote repository/i,
  ],
];

export function classifyPushError(stderr: string): PushFailure {
  const message = stderr.trim();
  for (const [code, pattern] of PATTERNS) if (pattern.test(message)) return { code, message };
  return { code: "failed", message };
}

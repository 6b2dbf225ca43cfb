// `tether`: the command-line device. Parses the command, runs it, and turns every failure
// into one line on stderr and an exit code (errors.ts).

import { parseArgs } from "node:util";
import { TetherError } from "#protocol";
import {
  answerQuestion,
  decide,
  listHosts,
  shareThread,
  listThreads,
  runTask,
  sendMessage,
  showLogs,
  stopThread,
  type Io,
} from "./commands";
import { CliError, Exit } from "./errors";
import { COMMAND_HELP, MAIN_HELP } from "./help";
import { exportIdentity, identitySource, readIdentity, requireIdentity } from "./identity";
import { pair } from "./pair";
import { openSession, type Session } from "./session";

const OPTIONS = {
  identity: { type: "string" },
  help: { type: "boolean", short: "h" },
  host: { type: "string" },
  agent: { type: "string" },
  mode: { type: "string" },
  worktree: { type: "boolean" },
  wait: { type: "boolean" },
  json: { type: "boolean" },
  follow: { type: "boolean", short: "f" },
  message: { type: "string", short: "m" },
  name: { type: "string" },
  list: { type: "boolean" },
  revoke: { type: "string" },
} as const;

/** Which options each command takes; any other is refused, so a typo is not silently ignored. */
const ALLOWED: Record<string, readonly string[]> = {
  pair: ["name"],
  hosts: [],
  threads: ["host"],
  run: ["host", "agent", "mode", "worktree", "wait", "json"],
  logs: ["follow", "json"],
  approve: ["message"],
  deny: ["message"],
  stop: [],
  send: [],
  answer: [],
  share: ["list", "revoke"],
  identity: [],
};

const io: Io = {
  out: (line) => void process.stdout.write(`${line}\n`),
  note: (line) => void process.stderr.write(`${line}\n`),
};

function one(positionals: string[], what: string, command: string): string {
  const value = positionals[0];
  if (!value || positionals.length > 1) throw new CliError(`Usage: tether ${command} ${what} (see tether ${command} --help).`);
  return value;
}

async function withSession(identityFlag: string | undefined, work: (s: Session) => Promise<number>): Promise<number> {
  const session = await openSession(requireIdentity(identitySource(identityFlag)));
  try {
    return await work(session);
  } finally {
    session.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message} (see tether --help).`);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (!command) {
    io.out(MAIN_HELP);
    return values.help ? Exit.Done : Exit.Error;
  }
  const help = COMMAND_HELP[command];
  if (!help) throw new CliError(`Unknown command ${command} (see tether --help).`);
  if (values.help) {
    io.out(help);
    return Exit.Done;
  }
  const given = Object.keys(values).filter((k) => k !== "identity" && k !== "help");
  const refused = given.filter((k) => !ALLOWED[command]!.includes(k));
  if (refused.length > 0) throw new CliError(`tether ${command} takes no --${refused[0]} (see tether ${command} --help).`);

  switch (command) {
    case "pair":
      await pair(one(rest, "<link>", command), identitySource(values.identity), { name: values.name }, io.note);
      return Exit.Done;
    case "identity": {
      if (rest[0] !== "export" || rest.length > 1) throw new CliError("Usage: tether identity export");
      const identity = readIdentity(identitySource(values.identity));
      if (!identity) throw new CliError("Not paired: there is no identity to export. Run `tether pair <link>` first.");
      io.out(exportIdentity(identity));
      return Exit.Done;
    }
    case "hosts":
      return withSession(values.identity, (s) => listHosts(s, io));
    case "threads":
      return withSession(values.identity, (s) => listThreads(s, values.host, io));
    case "run": {
      const text = rest.join(" ").trim();
      if (!text) throw new CliError('Say what to do: tether run --host NAME "task" (see tether run --help).');
      const options = { ...values, worktree: values.worktree ?? false, wait: values.wait ?? false, json: values.json ?? false };
      return withSession(values.identity, (s) => runTask(s, text, options, io));
    }
    case "logs": {
      const thread = one(rest, "THREAD", command);
      return withSession(values.identity, (s) => showLogs(s, thread, values.follow ?? false, values.json ?? false, io));
    }
    case "approve":
    case "deny": {
      const thread = one(rest, "THREAD", command);
      return withSession(values.identity, (s) => decide(s, thread, command, values.message, io));
    }
    case "stop": {
      const thread = one(rest, "THREAD", command);
      return withSession(values.identity, (s) => stopThread(s, thread, io));
    }
    case "send": {
      const [thread, ...words] = rest;
      const text = words.join(" ").trim();
      if (!thread || !text) throw new CliError('Usage: tether send THREAD "message".');
      return withSession(values.identity, (s) => sendMessage(s, thread, text, io));
    }
    case "share": {
      const thread = one(rest, "THREAD", command);
      if (values.list && values.revoke) throw new CliError("tether share takes --list or --revoke, not both.");
      const options = { list: values.list ?? false, revoke: values.revoke };
      return withSession(values.identity, (s) => shareThread(s, thread, options, io));
    }
    case "answer": {
      const [thread, ...words] = rest;
      const text = words.join(" ").trim();
      if (!thread || !text) throw new CliError('Usage: tether answer THREAD "answer".');
      return withSession(values.identity, (s) => answerQuestion(s, thread, text, io));
    }
    default:
      throw new CliError(`Unknown command ${command} (see tether --help).`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // The relay's and the computer's own errors carry words meant for a person; anything else is a fault here.
    const known = err instanceof CliError || err instanceof TetherError;
    process.stderr.write(`tether: ${known ? (err as Error).message : `unexpected error: ${(err as Error).message}`}\n`);
    process.exitCode = err instanceof CliError ? err.code : Exit.Error;
  },
);

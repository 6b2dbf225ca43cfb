// The words of `tether --help` and `tether <command> --help`.

export const MAIN_HELP = `tether: steer the coding agents on your paired computers from a terminal or a CI job.

It is a device like your phone: it pairs with a computer running Tether (the editor or
tether-host), holds its own keys, and speaks to the computer through the relay, which sees
only ciphertext.

Usage: tether <command> [options]

Commands:
  pair <link>                 Pair with a computer: give the link it shows, confirm the code there
  hosts                       The paired computers, online or not
  threads [--host NAME]       Their tasks, newest first
  run --host NAME "task"      Start a task; prints its thread id (--wait follows it to the end)
  logs THREAD [--follow]      What a task did; --follow keeps printing until it ends
  approve THREAD [--message]  Approve the task's oldest waiting approval
  deny THREAD [--message]     Deny it, with words the agent reads
  stop THREAD                 Stop a task
  send THREAD "message"       Steer a running task, or continue an ended one
  answer THREAD "answer"      Answer the question the task's agent waits on
  share THREAD                A read-only link to the task (--list, --revoke SHARE)
  identity export             Print the identity as one string, for TETHER_IDENTITY

Options for every command:
  --identity FILE   The identity file (default: $XDG_CONFIG_HOME/tether/identity.json,
                    or ~/.config/tether/identity.json)
  -h, --help        Help for the command

Environment:
  TETHER_IDENTITY   The identity as \`tether identity export\` prints it (a CI secret); used
                    instead of the file when set and --identity is not given

Exit codes: 0 done, 1 the task failed, 2 it was stopped (run --wait, logs --follow);
3 the command could not do its work (not paired, unknown host or thread, relay unreachable,
refused by the computer), with one line on stderr saying why.
`;

export const COMMAND_HELP: Record<string, string> = {
  pair: `Usage: tether pair <link> [--name NAME]

Pairs this command line with a computer, exactly as a phone pairs. On the computer, choose
Pair Phone (or start tether-host with --pair) and copy the link it shows. This prints a short
code: check that the computer shows the same one, and confirm there.

The keys are saved in the identity file, readable by you only (0600). Pairing a second
computer on the same relay adds it to the same file.

  --name NAME   How the computer lists this device (default: "tether CLI on <hostname>")
`,
  hosts: `Usage: tether hosts

Lists the paired computers: name, online or offline, workspace, id, and the most a task may
ask for there (its mode ceiling).
`,
  threads: `Usage: tether threads [--host NAME]

Lists the tasks of every paired computer, or of one: thread id, status, title.
`,
  run: `Usage: tether run [--host NAME] [--agent A] [--mode M] [--worktree] [--wait] [--json] "task"

Starts a task and prints its thread id. --host may be left out when one computer is paired.

  --host NAME    The computer, by its name or id (tether hosts)
  --agent A      The agent to run it with (default: the computer's)
  --mode M       read-only, ask, auto-edit or full-auto; the computer refuses a mode above its own
  --worktree     Run it in a git worktree of its own, on a new branch
  --wait         Follow the task to its end: exit 0 done, 1 failed, 2 stopped
  --json         Print the thread id and then each event as a JSON line

Approvals the computer asks for wait for a person, as they do for the phone: this says what
waits on stderr; approve on the phone or with \`tether approve THREAD\`. When the computer is
offline the task waits in the relay's inbox and starts when it connects.
`,
  logs: `Usage: tether logs THREAD [--follow] [--json]

Prints what the task did. --follow keeps printing until it ends, and exits 0 done, 1 failed,
2 stopped. --json prints each event as a JSON line. A lost relay is reached again (for up to
five minutes) and the task read on from the last event printed; --wait does the same.
`,
  approve: `Usage: tether approve THREAD [--message TEXT]

Approves the task's oldest waiting approval, once. --message is passed to the agent.
`,
  deny: `Usage: tether deny THREAD [--message TEXT]

Denies the task's oldest waiting approval. --message tells the agent why.
`,
  stop: `Usage: tether stop THREAD

Stops a task.
`,
  send: `Usage: tether send THREAD "message"

Sends a message to a task: it steers a running one, or continues one that ended. While the
agent waits for an answer to its question, a message waits behind it: use tether answer.
`,
  answer: `Usage: tether answer THREAD "answer"

Answers the question the task's agent asked and waits on, as the phone's question card does.
`,
  share: `Usage: tether share THREAD [--list | --revoke SHARE]

Makes a read-only link to the task and prints it: whoever opens it, in any browser and without
pairing, sees that task's history and what happens next, live, and nothing else of the
computer. The link's secret is in its fragment, which the relay never sees.

  --list          The task's links, one per line: share id, when made, link
  --revoke SHARE  End a link: the relay refuses it at once and cuts off whoever has it open
`,
  identity: `Usage: tether identity export

Prints this command line's identity as one string. Store it as a CI secret and give it to
tether in TETHER_IDENTITY. Whoever has it can act as this device: revoke it on the computer
(its device list) if it leaks.
`,
};

// How the command line fails: one clear line on stderr and an exit code a script can test.

/** 0 done, 1 the task failed, 2 it was stopped; 3 the command itself could not do its work. */
export const Exit = { Done: 0, Failed: 1, Stopped: 2, Error: 3 } as const;

/** An error meant for the person: its message is printed as it is, and the process exits with `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number = Exit.Error,
  ) {
    super(message);
    this.name = "CliError";
  }
}

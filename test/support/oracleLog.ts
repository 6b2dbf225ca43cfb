// Reads the log the oracle's recording stand-ins write (format in oracle/recorder.c): one record
// per program a shell executed.

/** One program a shell executed inside the oracle's chroot. */
export interface Execution {
  /** The path the shell executed, e.g. /usr/bin/rm. */
  path: string;
  /** Its name: the last part of the path. */
  program: string;
  argv: string[];
  env: Map<string, string>;
  /** Its working folder. */
  cwd: string;
  /** What it read on stdin, for shells and interpreters (which would run it as code). */
  stdin: string;
}

const MARK = "\u0001run";

export function parseLog(log: Buffer): Execution[] {
  const executions: Execution[] = [];
  let at = 0;
  const field = (): string => {
    const end = log.indexOf(0, at);
    if (end < 0) throw new Error("the oracle's log ends inside a record");
    const text = log.subarray(at, end).toString("utf8");
    at = end + 1;
    return text;
  };
  const count = (): number => {
    const text = field();
    if (!/^[0-9]+$/.test(text)) throw new Error(`the oracle's log has ${JSON.stringify(text)} where a count belongs`);
    return Number(text);
  };
  while (at < log.length) {
    if (field() !== MARK) throw new Error("the oracle's log lost its place");
    const path = field();
    const cwd = field();
    const argv = Array.from({ length: count() }, field);
    const env = new Map<string, string>();
    for (let i = count(); i > 0; i--) {
      const entry = field();
      const eq = entry.indexOf("=");
      env.set(eq < 0 ? entry : entry.slice(0, eq), eq < 0 ? "" : entry.slice(eq + 1));
    }
    const size = count();
    const stdin = log.subarray(at, at + size).toString("utf8");
    at += size;
    executions.push({ path, program: path.slice(path.lastIndexOf("/") + 1), argv, env, cwd, stdin });
  }
  return executions;
}

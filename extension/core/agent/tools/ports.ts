// What the agent's tools need from the machine beyond the mirror's reads: writing files and
// running commands. The Node adapters live in `extension/node/`; paths here are absolute, in
// the host's format, and already checked by `AgentWorkspace`.

export interface WorkspaceFiles {
  /** Replaces the file whole (readers never see half of it), keeping an existing file's mode. */
  writeFile(abs: string, data: string | Uint8Array): Promise<void>;
  /** Creates the folder and any missing folders above it. */
  mkdirp(abs: string): Promise<void>;
  /** Removes one file (a symlink itself, not its target). */
  remove(abs: string): Promise<void>;
  readFile(abs: string): Promise<Uint8Array>;
}

export interface RunRequest {
  /** A shell command line, run by the platform's shell. */
  command: string;
  /** Absolute working directory. */
  cwd: string;
  timeoutMs: number;
  /** Aborting kills the command and everything it started. */
  signal: AbortSignal;
  /** Output as it arrives, stdout and stderr merged in arrival order. */
  onOutput: (chunk: string) => void;
  /** Added to the host's environment. */
  env?: Record<string, string>;
  /** The thread whose run starts it, kept with the record of running commands. */
  threadId?: string;
}

export interface RunResult {
  /** Null when the command was killed by a signal or never started. */
  exitCode: number | null;
  /** The signal that ended it, e.g. `SIGTERM`. */
  signal: string | null;
  timedOut: boolean;
  /** Stopped through the abort signal. */
  stopped: boolean;
  /** All output, capped at about 1 MB by keeping its start and its end with a marker between. */
  output: string;
  /** How many bytes the command wrote in all, before any cap. */
  outputBytes: number;
  durationMs: number;
}

export interface ProcessRunner {
  /** Runs to the end, the timeout or the abort; resolves, never rejects (a failed start is in `output`). */
  run(request: RunRequest): Promise<RunResult>;
}

// `tether-host`: a Tether host without an editor.

import { ConfigError, HOST_HELP, parseHostConfig } from "./config";
import { runHeadlessHost } from "./run";

async function main(): Promise<void> {
  let config;
  try {
    config = parseHostConfig(process.argv.slice(2), process.env, process.cwd());
  } catch (err) {
    const message =
      err instanceof ConfigError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
        ? (err as Error).message
        : String(err);
    process.stderr.write(`tether-host: ${message}\n\n${HOST_HELP}`);
    process.exit(2);
  }
  if (!config) {
    process.stdout.write(HOST_HELP);
    return;
  }
  const running = await runHeadlessHost(config);
  const stop = (): void => {
    void running.close().then(() => process.exit(process.exitCode ?? 0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`tether-host: ${(err as Error).message}\n`);
  process.exit(1);
});

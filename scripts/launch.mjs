// `npm start`: answers --help at once, builds quietly (its output only when it fails), then
// runs dist/start.js, so the pairing QR code is the last thing on the screen.

import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);

if (args.includes("--help") || args.includes("-h")) {
  const { tsImport } = await import("tsx/esm/api");
  const { START_HELP } = await tsImport("./startHelp.ts", import.meta.url);
  process.stdout.write(START_HELP);
  process.exit(0);
}

const started = Date.now();
process.stdout.write("Building Tether… ");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const build = spawnSync(npm, ["run", "--silent", "build"], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
if (build.status !== 0) {
  process.stdout.write("failed:\n");
  process.stderr.write(`${build.stdout ?? ""}${build.stderr ?? ""}${build.error ? `${build.error.message}\n` : ""}`);
  process.exit(build.status ?? 1);
}
process.stdout.write(`done in ${Math.round((Date.now() - started) / 1000)} s\n`);

const child = spawn(process.execPath, [join(root, "dist", "start.js"), ...args], { stdio: "inherit" });
// Ctrl-C reaches the child too (same process group); it stops its tunnel and relay, then exits.
process.on("SIGINT", () => undefined);
process.on("SIGTERM", () => child.kill("SIGTERM"));
process.on("SIGHUP", () => child.kill("SIGHUP"));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

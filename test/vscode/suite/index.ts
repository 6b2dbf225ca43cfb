// The in-editor test entry, loaded by VS Code's extension host (as @vscode/test-electron's
// `extensionTestsPath`): runs mocha over every bundled suite file beside it. Bundled to
// dist/test/vscode/index.js; the suites to dist/test/vscode/suite/*.suite.js (esbuild.config.mjs
// picks up every test/vscode/suite/*.suite.ts, so a new file needs no registration).

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { format } from "node:util";
// Left out of the bundle, required from node_modules: mocha requires the suite files itself.
import Mocha from "mocha";

export function run(): Promise<void> {
  // The workbench forwards each console.log as one message, arguments joined but not formatted.
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(format(...args));
  const mocha = new Mocha({ ui: "bdd", color: false, timeout: 20_000, reporter: "spec" });
  const suites = join(__dirname, "suite");
  for (const file of readdirSync(suites).sort()) if (file.endsWith(".suite.js")) mocha.addFile(join(suites, file));
  if (mocha.files.length === 0) return Promise.reject(new Error(`no *.suite.js files in ${suites}`));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} in-editor test(s) failed`)) : resolve()));
  });
}

// The extension's in-editor tests under VS Code's own tooling, for machines that can download
// VS Code (these machines cannot: `npm test` runs the same suites in code-server's VS Code
// server instead, see test/vscode/ and test/support/vscodeServer.ts). Build first: `npm run build`.
//
//   npx @vscode/test-cli    reads the default export below (@vscode/test-cli is not a dependency)
//   node .vscode-test.mjs   @vscode/test-electron's runTests with the bundled entry, as npm test uses it

import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
// The VS Code that `npm test` runs (code-server 4.100.3), the lowest package.json's engines allow.
const version = "1.100.3";
// A copy of the test workspace, so nothing the tests write lands in the checkout.
const workspace = mkdtempSync(join(tmpdir(), "tether-vscode-ws-"));
cpSync(join(root, "test", "vscode", "workspace"), workspace, { recursive: true });
// Tether's settings are the user's only (machine-scoped): a user data folder of its own holds
// them. A closed port rather than a developer's relay on the default 8787; commands and edits
// ask first; no sleep inhibitor on CI machines.
const userData = mkdtempSync(join(tmpdir(), "tether-vscode-user-"));
mkdirSync(join(userData, "User"));
writeFileSync(
  join(userData, "User", "settings.json"),
  JSON.stringify({ "tether.relayUrl": "http://127.0.0.1:9", "tether.policy.mode": "ask", "tether.keepAwake": false }, null, 2),
);
const launchArgs = ["--disable-extensions", "--disable-workspace-trust", "--user-data-dir", userData];

export default {
  label: "tether",
  files: "dist/test/vscode/suite/*.suite.js",
  version,
  extensionDevelopmentPath: root,
  workspaceFolder: workspace,
  launchArgs,
  mocha: { ui: "bdd", timeout: 20_000 },
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { runTests } = await import("@vscode/test-electron");
  try {
    await runTests({
      version,
      extensionDevelopmentPath: root,
      extensionTestsPath: join(root, "dist", "test", "vscode", "index.js"),
      launchArgs: [workspace, ...launchArgs],
    });
  } catch (err) {
    console.error("the in-editor tests failed:", err);
    process.exitCode = 1;
  }
}

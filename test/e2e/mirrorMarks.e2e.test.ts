// End to end, all real: relay and headless host from dist/, the PWA in Chromium, real git. A big
// repository's `git status` takes a second or more; here a wrapper first on the host's PATH holds
// each status run (real git then runs) until the test lets it go. The phone's Files view must show
// the folder while git is still running, and the marks once git answers, without a reload.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { launchChromium, phoneContext } from "../support/browser";
import { startRelay } from "../support/phoneStack";
import { startInTerminal, type Proc } from "../support/processes";
import { until } from "../support/wait";
import { makeWorkspace } from "../support/workspace";

const DIST = join(__dirname, "..", "..", "dist");

describe("end to end: git's marks reach the phone's Files view after the listing", function () {
  this.timeout(120_000);

  let tmp: string;
  let workspace: string;
  let relay: Proc;
  let host: Proc | undefined;
  let browser: Browser;
  /** While this file exists, each `git status` waits for `go` to exist. */
  let hold: string;
  let go: string;
  /** Written by the wrapper when a status run starts waiting. */
  let held: string;

  before(async () => {
    if (!existsSync(join(DIST, "host.js")) || !existsSync(join(DIST, "mobile-web", "index.html"))) {
      throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    }
    tmp = mkdtempSync(join(tmpdir(), "tether-e2e-"));
    hold = join(tmp, "hold");
    go = join(tmp, "go");
    held = join(tmp, "held");
    workspace = makeWorkspace({ "README.md": "# marks e2e\n", "src/app.ts": "export const app = 1;\n" });
    const git = (...args: string[]): string =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: workspace, encoding: "utf8" });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-qm", "start");

    const realGit = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
    const bin = join(tmp, "bin");
    mkdirSync(bin);
    // Holds status runs only (rev-parse and the rest go straight through), for at most 8 s, under
    // the host's 10 s bound on a run.
    writeFileSync(
      join(bin, "git"),
      [
        "#!/bin/sh",
        'case " $* " in *" status "*)',
        `  if [ -e '${hold}' ]; then : > '${held}'; n=0; while [ ! -e '${go}' ] && [ $n -lt 160 ]; do sleep 0.05; n=$((n+1)); done; fi;;`,
        "esac",
        `exec '${realGit}' "$@"`,
        "",
      ].join("\n"),
    );
    chmodSync(join(bin, "git"), 0o755);

    const { proc, url: relayUrl } = await startRelay(join(tmp, "relay"));
    relay = proc;
    host = startInTerminal(
      "node",
      [
        join(DIST, "host.js"),
        "--relay",
        relayUrl,
        "--folder",
        workspace,
        "--name",
        "marks-laptop",
        "--state-dir",
        join(tmp, "host"),
      ],
      { env: { PATH: `${bin}:${process.env.PATH ?? ""}` } },
    );
    browser = await launchChromium();
  });

  after(async () => {
    writeFileSync(go, "");
    await browser?.close();
    await host?.stop();
    await relay?.stop();
    rmSync(tmp, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  it("shows the folder while git status runs, then its marks when git answers", async () => {
    const link = (await host!.waitFor(/(http:\/\/\S+#pair=\S+)/))[1]!;
    const context = await phoneContext(browser);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(link);
    await host!.waitFor(/Pair "([^"]+)"\? Check that it shows code/);
    await page.getByTestId("pair-code").waitFor();
    host!.write("y\n");
    await host!.waitFor(/Paired "/);
    await page.getByTestId("host-status").filter({ hasText: "online" }).first().waitFor();

    // Changes git has not seen yet, and from now on git is slow.
    writeFileSync(hold, "");
    writeFileSync(join(workspace, "README.md"), "# marks e2e\n\nedited on the computer\n");
    writeFileSync(join(workspace, "notes.md"), "new, untracked\n");
    await page.getByTestId("tab-files").click();

    const entry = (name: string) => page.locator(`[data-testid="dir-entry"][data-name="${name}"]`);
    await entry("notes.md").waitFor();
    // The listing is on screen while git's run is held: it went without waiting for git.
    await until("a git status run waiting", () => existsSync(held), 10_000);
    assert.equal(await entry("README.md").getAttribute("data-git"), null);
    assert.equal(await entry("notes.md").getAttribute("data-git"), null);

    writeFileSync(go, "");
    await page.locator('[data-testid="dir-entry"][data-name="README.md"][data-git="M"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="dir-entry"][data-name="notes.md"][data-git="?"]').waitFor({ timeout: 15_000 });
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});

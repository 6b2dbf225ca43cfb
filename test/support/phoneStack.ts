// The stack an end-to-end test drives from a phone: a temporary folder, a workspace, a scripted
// OpenAI-compatible model, `node dist/relay.js` serving the built app and `node dist/host.js`
// on that workspace, and a phone in Chromium paired from the link the host printed. Each piece
// is stopped in reverse order by one `stop()`, whatever failed half way.

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { AxeAudit } from "./axe";
import { pairedPhonePage, screenshotPath } from "./browser";
import { Cleanup } from "./cleanup";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "./fakeModels";
import { start, type Proc } from "./processes";
import { makeWorkspace } from "./workspace";

export const DIST = join(__dirname, "..", "..", "dist");

/** No model from the environment the tests run in: the host uses the one it is given. */
export const NO_MODEL_ENV = { OPENAI_API_KEY: "", TETHER_MODEL: "" };

export function requireBuiltHost(): void {
  if (!existsSync(join(DIST, "host.js"))) throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
}

/** `node dist/relay.js` serving the built app, its data in `dataDir`; on `port`, or any free one. */
export async function startRelay(dataDir: string, port = 0): Promise<{ proc: Proc; url: string }> {
  const proc = start("node", [
    join(DIST, "relay.js"),
    ...["--port", String(port), "--data-dir", dataDir, "--web-dir", join(DIST, "mobile-web")],
  ]);
  try {
    return { proc, url: (await proc.waitFor(/listening on (http:\/\/\S+)/))[1]! };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}

export interface StackOptions {
  /** Names the temporary folder: `tether-<name>-e2e-`. */
  name: string;
  /** The workspace's files; ignored when `workspace` is given. */
  files?: Record<string, string>;
  /** A workspace folder already made (removed with the temporary folder if it lies inside it). */
  workspace?: (tmp: string) => string;
  /** The computer's name as the phone shows it. */
  hostName?: string;
  /** The most any task may ask for (`--mode`). */
  mode?: string;
  /** The model's name after `openai:`. */
  model?: string;
  /** What the scripted model answers, in order, before the test pushes more. */
  script?: Parameters<typeof startFakeOpenAI>[0];
  /** More arguments for `host.js`. */
  hostArgs?: string[];
  /** Start the relay on this port (a test that restarts it on the same one). */
  relayPort?: number;
  /** More environment for `host.js` (and so for the agents it starts). */
  env?: NodeJS.ProcessEnv;
}

export interface Stack {
  tmp: string;
  workspace: string;
  model: FakeModelServer<OpenAIBody>;
  relay: Proc;
  relayUrl: string;
  /** Started with `--pair --accept-pairing`: it prints a pairing link and accepts the first phone. */
  host: Proc;
  /** Another `host.js` as the first was started, on the same workspace and state (after one died). */
  startHost(options?: { pair?: boolean }): Proc;
  /** Runs `close` at `stop()`, before what was started earlier. */
  onStop<T>(thing: T, close: (thing: T) => unknown): T;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  requireBuiltHost();
  const cleanup = new Cleanup();
  try {
    const tmp = cleanup.add(mkdtempSync(join(tmpdir(), `tether-${options.name}-e2e-`)), (dir) =>
      rmSync(dir, { recursive: true, force: true }),
    );
    const workspace = options.workspace
      ? options.workspace(tmp)
      : cleanup.add(makeWorkspace(options.files ?? { "README.md": "# api\n" }), (dir) =>
          rmSync(dir, { recursive: true, force: true }),
        );
    const model = cleanup.add(await startFakeOpenAI(options.script), (m) => m.close());
    const relay = await startRelay(join(tmp, "relay"), options.relayPort);
    cleanup.add(relay.proc, (p) => p.stop());
    const startHost = ({ pair = true } = {}): Proc =>
      cleanup.add(
        start(
          "node",
          [
            join(DIST, "host.js"),
            ...["--relay", relay.url, "--folder", workspace, "--name", options.hostName ?? "mac-mini"],
            ...["--state-dir", join(tmp, "host"), "--mode", options.mode ?? "full-auto"],
            ...["--model", `openai:${options.model ?? "gpt-test"}`, "--base-url", model.url],
            ...(options.hostArgs ?? []),
            ...(pair ? ["--pair", "--accept-pairing"] : []),
          ],
          { env: { ...options.env, ...NO_MODEL_ENV } },
        ),
        (p) => p.stop(),
      );
    const host = startHost();
    return {
      tmp,
      workspace,
      model,
      relay: relay.proc,
      relayUrl: relay.url,
      host,
      startHost,
      onStop: (thing, close) => cleanup.add(thing, close),
      stop: () => cleanup.run(),
    };
  } catch (err) {
    await cleanup.run();
    throw err;
  }
}

export interface BrowserPhone {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Every uncaught error the page raised. */
  pageErrors: string[];
}

/** A phone in Chromium paired with the stack's host, closed by the stack's `stop()`. */
export async function openPairedPhone(stack: Stack): Promise<BrowserPhone> {
  const pageErrors: string[] = [];
  const phone = await pairedPhonePage(stack.host, pageErrors);
  stack.onStop(phone.browser, (b) => b.close());
  stack.onStop(phone.context, (c) => c.close());
  return { ...phone, pageErrors };
}

/**
 * The page shot in light then dark mode as `<prefix>-<name>-light|dark.png`, then audited by axe
 * (light and dark) as `screen` when an audit is given; the page is left in light mode.
 */
export async function themedShots(page: Page, prefix: string, name: string, axe?: AxeAudit, screen = name): Promise<void> {
  await page.emulateMedia({ colorScheme: "light" });
  await page.screenshot({ path: screenshotPath(`${prefix}-${name}-light`) });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: screenshotPath(`${prefix}-${name}-dark`) });
  if (axe) await axe.check(page, screen);
  else await page.emulateMedia({ colorScheme: "light" });
}

/** On the computer's task list: a new task with `text` in `mode`, started as a person would. */
export async function startTask(page: Page, text: string, mode: string): Promise<void> {
  await page.getByTestId("new-task-button").click();
  await page.getByTestId("task-text").fill(text);
  await page.getByTestId("task-mode").locator(`input[value="${mode}"]`).check();
  await page.getByTestId("task-submit").click();
}

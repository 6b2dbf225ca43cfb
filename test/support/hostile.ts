// Hostile content for the XSS tests of the phone app and the editor's thread panel: payloads
import assert from "node:assert/strict";
// that try to run script from every place untrusted text reaches the screen (the model's words,
// tool arguments, diffs, terminal output, file names and contents, names of computers and
// phones), and a watcher that tells whether any of it ran, tried to, or became markup.
//
// Every payload does the same two things when it runs: it sets `top.__pwned` and it fetches
// a relative URL containing "pwned". Under the pages' CSP an injected inline script or event
// handler does not run but is reported as a violation, so the watcher counts those too: a
// payload that became markup fails the test even where the CSP saved the day.

import type { BrowserContext, Page } from "playwright-core";
import type { FakeTurn } from "./fakeModels";

/** What every payload runs. No slash, so it fits in a file name. */
export const JS = "top.__pwned=1;fetch('pwned')";

/** Raw HTML that runs `JS` if it ever becomes markup. */
export const HTML_PAYLOADS = [
  `<script>${JS}</script>`,
  `<img src=x onerror="${JS}">`,
  `<svg onload="${JS}"></svg>`,
  `<iframe srcdoc="<script>${JS}</script>"></iframe>`,
  `<a href="javascript:${JS}">html-js-link</a>`,
  `<details open ontoggle="${JS}">`,
  `<math><mtext><table><mglyph><style><img src=x onerror="${JS}">`,
  `<object data="javascript:${JS}"></object>`,
  `<embed src="data:text/html,<script>${JS}</script>">`,
  `<meta http-equiv="refresh" content="0;url=javascript:${JS}">`,
  `<base href="javascript:${JS}//">`,
  `<form action="javascript:${JS}"><button>form-submit</button></form>`,
  `<style>@import 'pwned.css';</style>`,
];

/** Markdown links and images with schemes a link must never have. */
export const LINK_PAYLOADS = [
  `[js-link](javascript:${JS})`,
  `[entity-link](&#106;avascript:${JS})`,
  `[data-link](data:text/html;base64,PHNjcmlwdD50b3AuX19wd25lZD0xPC9zY3JpcHQ+)`,
  `[vb-link](vbscript:msgbox(1))`,
  `<javascript:${JS}>`,
  `![img-js](javascript:${JS})`,
  `![img-svg](data:image/svg+xml,<svg onload="${JS}">)`,
  `[ref-link][evil]\n\n[evil]: javascript:${JS}`,
];

/** The model's hostile reply, as markdown. */
export const HOSTILE_MARKDOWN = [
  "# Heading <img src=x onerror=\"top.__pwned=1;fetch('pwned')\">",
  '**bold <svg onload="top.__pwned=1">** and `code <script>top.__pwned=1</script>`',
  ...LINK_PAYLOADS,
  ...HTML_PAYLOADS,
  '```"><img src=x onerror="top.__pwned=1">\n<script>top.__pwned=1</script>\n```',
  "END-OF-HOSTILE-MARKDOWN",
].join("\n\n");

/** A name a person or a host could pick, under 80 characters (a phone's name limit). */
export const HOSTILE_NAME = `<img src=x onerror="${JS}">`;
export const HOSTILE_FILE = `<img src=x onerror="${JS}">.md`;
export const HOSTILE_SVG_NAME = `<svg onload="${JS}">.svg`;
export const HOSTILE_WRITTEN = `<iframe srcdoc="${JS}">.html`;

/** An SVG whose script would run if it were opened as a document rather than an image. */
export const HOSTILE_SVG =
  `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" onload="${JS}">` +
  `<script>${JS}</script><rect width="120" height="60" fill="#c33"/>` +
  `<foreignObject width="120" height="60"><body xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="${JS}"/></body></foreignObject>` +
  `</svg>\n`;

/** The workspace: hostile names and contents. */
export function hostileFiles(): Record<string, string> {
  return {
    [HOSTILE_FILE]: `${HOSTILE_MARKDOWN}\n`,
    [HOSTILE_SVG_NAME]: HOSTILE_SVG,
    "evil.svg": HOSTILE_SVG,
    "page.html": `<!doctype html>\n<p>hello</p>\n${HTML_PAYLOADS.join("\n")}\n`,
    "notes.md": `${HOSTILE_MARKDOWN}\n`,
    // Printed by the command the model runs: colours, 256 and true colours, OSC 8 hyperlinks to
    // script, a window title, and HTML.
    "show.sh": [
      "printf '\\033[31mred-text\\033[0m \\033[1;32mbold-green\\033[0m\\n'",
      "printf '\\033[38;5;202morange-256\\033[0m \\033[48;5;21mblue-bg-256\\033[0m\\n'",
      "printf '\\033[38;2;10;200;30mtrue-colour\\033[0m \\033[48;2;200;0;0mtrue-bg\\033[0m\\n'",
      `printf '\\033]8;;javascript:${JS.replace(/'/g, "'\\''")}\\033\\\\osc8-js-link\\033]8;;\\033\\\\\\n'`,
      `printf '\\033]8;;data:text/html,<script>top.__pwned=1</script>\\007osc8-data-link\\033]8;;\\007\\n'`,
      "printf '\\033]8;;https://example.com/\\033\\\\osc8-https-link\\033]8;;\\033\\\\\\n'",
      "printf '\\033]0;PWNED-TITLE\\007after-title\\n'",
      `cat page.html`,
      "echo END-OF-TERMINAL",
      // Colours reach the screen only while a command runs (its result is kept as plain text).
      "sleep 3",
    ].join("\n"),
  };
}

const call = (name: string, args: object, text?: string): FakeTurn => ({
  ...(text ? { text } : {}),
  toolCalls: [{ name, args }],
});

/** The command the model runs: a comment carries a payload to the approval card. */
export const HOSTILE_COMMAND = `sh show.sh # <img src=x onerror="${JS}">`;

/** The model's script: hostile words, then tools whose arguments, diffs and output are hostile. */
export function hostileScript(): FakeTurn[] {
  return [
    call("read_file", { path: HOSTILE_FILE }, HOSTILE_MARKDOWN),
    call(
      "edit_file",
      { path: "page.html", old_text: "<p>hello</p>", new_text: HTML_PAYLOADS.join("\n"), reason: HOSTILE_NAME },
      `Editing <b onmouseover="${JS}">page.html</b>.`,
    ),
    call("write_file", { path: HOSTILE_WRITTEN, content: `${HTML_PAYLOADS.join("\n")}\n` }),
    call("run_command", { command: HOSTILE_COMMAND, reason: `[why](javascript:${JS}) <svg onload="${JS}">` }),
    call("ask_user", { question: `Which one? <img src=x onerror="${JS}"> [a](javascript:${JS})` }),
    call("finish", { summary: `${HOSTILE_MARKDOWN}\n\nEND-OF-SUMMARY` }),
  ];
}

/**
 * Waits for the running command's terminal to show the whole of show.sh's output, and answers
 * the colours a person sees on three of its words, as computed by the page.
 */
export async function liveColours(page: Page): Promise<Record<string, string>> {
  const terminal = page.locator('[data-testid="terminal"][data-live="true"]').filter({ hasText: "END-OF-TERMINAL" });
  await terminal.waitFor({ timeout: 20_000 });
  const colours: Record<string, string> = {};
  for (const word of ["red-text", "orange-256", "true-bg"]) {
    const span = terminal.locator("span", { hasText: word }).last();
    colours[word] = await span.evaluate((el) => {
      const style = getComputedStyle(el);
      return el.textContent?.includes("-bg") ? style.backgroundColor : style.color;
    });
  }
  return colours;
}

/** What `liveColours` must find: the terminal's red, the 256-colour palette's orange, a true colour. */
export const EXPECTED_COLOURS = {
  "red-text": "rgb(255, 123, 114)",
  "orange-256": "rgb(255, 95, 0)",
  "true-bg": "rgb(200, 0, 0)",
};

export interface HostileWatch {
  /** CSP violations reported by any page or frame, and CSP messages on their consoles. */
  violations: string[];
  /** Requests for a URL containing "pwned". */
  pwnedRequests: string[];
  /** Errors thrown in a page. */
  pageErrors: string[];
  /** What `top.__pwned` and the title are now, for each page watched. */
  sentinel(page: Page): Promise<{ pwned: unknown; title: string }>;
}

/**
 * Watches a browser context: every page and frame reports CSP violations through a binding
 * (installed before any page script, so a page cannot hide them), and every request is seen.
 */
export async function watchHostile(context: BrowserContext): Promise<HostileWatch> {
  const watch: HostileWatch = {
    violations: [],
    pwnedRequests: [],
    pageErrors: [],
    sentinel: (page) => page.evaluate(() => ({ pwned: (window as { __pwned?: unknown }).__pwned, title: document.title })),
  };
  await context.exposeBinding("__tetherCspViolation", (_source, text: string) => void watch.violations.push(text));
  await context.addInitScript(`document.addEventListener("securitypolicyviolation", (e) => {
    window.__tetherCspViolation(e.effectiveDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber + ": " + e.sample);
  }, true);`);
  context.on("request", (request) => {
    if (request.url().includes("pwned")) watch.pwnedRequests.push(request.url());
  });
  const onPage = (page: Page): void => {
    page.on("console", (message) => {
      if (/Content.Security.Policy|Refused to/i.test(message.text())) watch.violations.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => watch.pageErrors.push(error.message));
  };
  context.pages().forEach(onPage);
  context.on("page", onPage);
  return watch;
}

/**
 * What in a page's DOM could run script or leave it: elements that load or run things,
 * `on…` attributes, URLs with script schemes, links that are not plain web links opening apart.
 * Empty when the page shows untrusted text as text only.
 */
export function scanDom(page: Page): Promise<string[]> {
  // Source text rather than a function: the test runner's transpiler would name the inner
  // functions with a helper the page does not have.
  return page.evaluate(SCAN_DOM) as Promise<string[]>;
}

const SCAN_DOM = `(() => {
  const found = [];
  const describe = (el) => el.outerHTML.slice(0, 160);
  // What the app draws is under #app; the page's own CSP meta tag and script are outside it.
  const root = document.getElementById("app") || document.body;
  const all = (selector) => root.querySelectorAll(selector);
  for (const el of all("iframe, object, embed, frame, frameset, base, form[action], meta, script, style, link"))
    found.push("element: " + describe(el));
  for (const el of all("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\s\\u0000-\\u001f]/g, "").toLowerCase();
      if (name.startsWith("on")) found.push("handler: " + describe(el));
      if (["href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"].includes(name)) {
        const imageData = el.tagName === "IMG" && name === "src" && /^data:image\\/[a-z0-9.+-]+;base64,/.test(value);
        if (/^(javascript|vbscript|data):/.test(value) && !imageData) found.push("url: " + describe(el));
      }
    }
  }
  for (const a of all("a[href]")) {
    const url = new URL(a.href, location.href);
    if (url.origin === location.origin) continue;
    const rel = (a.getAttribute("rel") || "").split(/\\s+/);
    if (!["http:", "https:", "mailto:"].includes(url.protocol)) found.push("link scheme: " + describe(a));
    else if (url.protocol !== "mailto:" && (a.getAttribute("target") !== "_blank" || !rel.includes("noopener")))
      found.push("link opens in place: " + describe(a));
  }
  return found;
})()`;

/** Nothing ran, nothing tried to, and nothing in the DOM could: `where` names the screen in the failure. */
/**
 * Whether anything a payload would cause has happened yet: a CSP report, a fetch of "pwned", a
 * page error, the sentinel set, or a navigation away from `url`. For a quiet window after an
 * action that could set one off (`quietFor` in wait.ts).
 */
export async function anythingHappened(page: Page, watch: HostileWatch, url: string): Promise<boolean> {
  if (watch.violations.length || watch.pwnedRequests.length || watch.pageErrors.length || page.url() !== url) return true;
  const { pwned, title } = await watch.sentinel(page);
  return pwned !== undefined || /PWNED/.test(title);
}

export async function assertClean(page: Page, watch: HostileWatch, where: string): Promise<void> {
  assert.deepEqual(await scanDom(page), [], `${where}: the DOM holds markup from content`);
  assert.deepEqual(watch.violations, [], `${where}: CSP violations`);
  assert.deepEqual(watch.pwnedRequests, [], `${where}: a payload fetched`);
  const { pwned, title } = await watch.sentinel(page);
  assert.equal(pwned, undefined, `${where}: a payload ran`);
  assert.doesNotMatch(title, /PWNED/, `${where}: the title was set by content`);
}

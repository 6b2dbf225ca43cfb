import assert from "node:assert/strict";
import { chmodSync, lstatSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ErrorCode } from "#protocol";
import { createTools, toolByName } from "../../../extension/core/agent/tools/index";
import type { FileEdit, Tool, ToolContext, ToolOutput } from "../../../extension/core/agent/tools/tool";
import { AgentWorkspace } from "../../../extension/core/agent/tools/workspace";
import { Mirror } from "../../../extension/core/mirror/mirror";
import { nodeFileSystem } from "../../../extension/node/nodeFileSystem";
import { nodeWorkspaceFiles } from "../../../extension/node/nodeWorkspaceFiles";
import { createProcessRunner, nodeProcessRunner } from "../../../extension/node/processRunner";
import { until } from "../../support/wait";
import { link, makeWorkspace } from "../../support/workspace";

type Failure = { code?: string; message: string };
const codeOf = (code: string, message?: RegExp) => (err: Failure) => err.code === code && (!message || message.test(err.message));
/** Running, not merely a zombie waiting for an init process that may reap it late. */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
};
const lines = (n: number, text = (i: number) => `line ${i}`): string =>
  Array.from({ length: n }, (_, i) => text(i + 1)).join("\n") + "\n";

describe("agent tools", () => {
  let root: string;
  let outside: string;
  let workspace: AgentWorkspace;
  const tool = (name: string): Tool => toolByName(name)!;

  const context = (options: { signal?: AbortSignal; onOutput?: (chunk: string) => void } = {}): ToolContext => ({
    workspace,
    signal: options.signal ?? new AbortController().signal,
    onOutput: options.onOutput ?? (() => undefined),
  });
  const run = (name: string, args: object, ctx = context()): Promise<ToolOutput> =>
    tool(name).run!(tool(name).args.parse(args), ctx);
  const plan = (name: string, args: object): Promise<FileEdit> => tool(name).plan!(tool(name).args.parse(args), context());
  /** Plans and applies an edit as the agent does once it may. */
  const apply = async (name: string, args: object): Promise<FileEdit> => {
    const edit = await plan(name, args);
    if (edit.after === null) await workspace.remove(edit.path);
    else await workspace.writeText(edit.path, edit.after);
    return edit;
  };
  const disk = (rel: string): string => readFileSync(join(root, rel), "utf8");

  before(async () => {
    outside = mkdtempSync(join(tmpdir(), "tether-outside-"));
    writeFileSync(join(outside, "passwd"), "root:x:0:0\n");
    root = makeWorkspace({
      "README.md": "# api-service\n",
      "src/index.ts": 'import { limit } from "./limit";\nexport const port = 8080;\n// TODO: read the port from env\n',
      "src/limit.ts": "export const LIMIT = 5;\nexport function clamp(n: number) {\n  return Math.min(n, LIMIT);\n}\n",
      "src/todo.md": "- todo: write docs\n- TODO: more tests\n",
      ".gitignore": "node_modules/\n*.log\n",
      "node_modules/left-pad/index.js": "module.exports = function leftPad() {}; // TODO upstream\n",
      "debug.log": "TODO in a log\n",
      "packages/web/.gitignore": "dist/\n",
      "packages/web/dist/app.js": "// TODO bundled\n",
      ".env": "API_KEY=sk-live-123 TODO\n",
      "config/server.pem": "-----BEGIN PRIVATE KEY----- TODO\n",
      ".git/config": "[core]\n",
      "big.txt": lines(5312),
      "assets/logo.bin": new Uint8Array([0x89, 0x50, 0, 0, 1, 2]),
      "windows.txt": "first\r\nsecond\r\nthird\r\n",
    });
    link(root, "escape", outside);
    link(root, "passwd-link", join(outside, "passwd"));
    link(root, "dangling", join(outside, "made-by-a-write.txt"));
    link(root, "readme-link", "README.md");
    const mirror = await Mirror.open({ fs: nodeFileSystem, root });
    workspace = new AgentWorkspace({ mirror, files: nodeWorkspaceFiles, runner: nodeProcessRunner });
  });

  after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  describe("specs", () => {
    it("offers every tool with a plain JSON Schema object for its arguments", () => {
      const tools = createTools();
      const names = tools.map((t) => t.spec.name);
      assert.deepEqual(names, [
        "list_dir",
        "read_file",
        "search",
        "edit_file",
        "write_file",
        "delete_file",
        "run_command",
        "ask_user",
        "finish",
      ]);
      for (const t of tools) {
        const schema = t.spec.parameters as { type: string; properties: Record<string, unknown>; required?: string[] };
        assert.equal(schema.type, "object", t.spec.name);
        assert.ok(!("$schema" in schema), t.spec.name);
        assert.ok(Object.keys(schema.properties).length > 0, t.spec.name);
        assert.ok(t.spec.description.length > 60, t.spec.name);
      }
      const edit = tool("edit_file").spec.parameters as { required: string[]; properties: Record<string, { type: string }> };
      assert.deepEqual(edit.required, ["path", "old_text", "new_text"]);
      assert.equal(edit.properties.replace_all?.type, "boolean");
      assert.equal(toolByName("nope"), undefined);
    });

    it("gives commands the line, folder and timeout the policy checks", () => {
      const command = tool("run_command");
      const args = command.args.parse({ command: "npm test", cwd: "./src/", timeoutSec: 30 });
      assert.deepEqual(command.command!(args), { command: "npm test", cwd: "src", timeoutMs: 30_000 });
      assert.deepEqual(command.command!(command.args.parse({ command: "ls" })), { command: "ls", cwd: ".", timeoutMs: 600_000 });
      assert.equal(command.args.safeParse({ command: "ls", timeoutSec: 7200 }).success, false);
      assert.equal(command.title(args), "npm test");
      assert.equal(tool("search").title(tool("search").args.parse({ query: "TODO", path: "src" })), '"TODO" in src');
    });
  });

  describe("reading", () => {
    it("lists a folder with sizes, folders marked, and what it hides counted", async () => {
      const { output } = await run("list_dir", { path: "" });
      assert.match(output, /^src\/$/m);
      assert.match(output, /^README\.md {2}\(14 B\)$/m);
      assert.doesNotMatch(output, /\.env|node_modules|debug\.log|\.git\//);
      assert.match(output, /4 hidden/);
      const ignored = await run("list_dir", { path: "node_modules" });
      assert.match(ignored.output, /^left-pad\/$/m, "an ignored folder asked for by name is listed");
    });

    it("reads numbered lines, a window at a time", async () => {
      const first = await run("read_file", { path: "big.txt" });
      assert.match(first.output, /^ {3}1│line 1\n/);
      assert.match(first.output, /2000│line 2000$/);
      assert.equal(first.truncated, "big.txt has 5,312 lines; showing 1–2000; call again with startLine=2001");
      const next = await run("read_file", { path: "big.txt", startLine: 2001 });
      assert.match(next.output, /^2001│line 2001\n/);
      assert.match(next.truncated!, /showing 2001–4000; call again with startLine=4001/);
      const slice = await run("read_file", { path: "big.txt", startLine: 5300, endLine: 9999 });
      assert.equal(slice.truncated, undefined);
      assert.match(slice.output, /^5300│line 5300\n[^]*5312│line 5312\n\(big\.txt has 5,312 lines; showing 5300–5312\)$/);
      await assert.rejects(run("read_file", { path: "big.txt", startLine: 6000 }), codeOf(ErrorCode.BadRequest, /5,312 lines/));
    });

    it("reads ignored files, and says when a file is binary", async () => {
      assert.match((await run("read_file", { path: "debug.log" })).output, /TODO in a log/);
      await assert.rejects(run("read_file", { path: "assets/logo.bin" }), codeOf(ErrorCode.BadRequest, /binary/));
    });

    it("searches text across files, honouring .gitignore at every level and never touching secrets", async () => {
      const { output } = await run("search", { query: "todo" });
      assert.equal(
        output,
        [
          "src/index.ts:3: // TODO: read the port from env",
          "src/todo.md:1: - todo: write docs",
          "src/todo.md:2: - TODO: more tests",
        ].join("\n"),
      );
      const exact = await run("search", { query: "TODO", caseSensitive: true, path: "src/todo.md" });
      assert.equal(exact.output, "src/todo.md:2: - TODO: more tests");
      const inIgnored = await run("search", { query: "TODO", path: "node_modules" });
      assert.match(inIgnored.output, /^node_modules\/left-pad\/index\.js:1: /, "an ignored folder is searched when named");
      await assert.rejects(run("search", { query: "API_KEY", path: ".env" }), codeOf(ErrorCode.SecretFile));
    });

    it("searches with a regular expression, and explains a broken one", async () => {
      const { output } = await run("search", { query: "^export (const|function) \\w+", regex: true });
      assert.deepEqual(output.split("\n"), [
        "src/index.ts:2: export const port = 8080;",
        "src/limit.ts:1: export const LIMIT = 5;",
        "src/limit.ts:2: export function clamp(n: number) {",
      ]);
      await assert.rejects(
        run("search", { query: "clamp(", regex: true }),
        codeOf(ErrorCode.BadRequest, /Invalid regular expression "clamp\(".*regex: false/),
      );
      assert.match((await run("search", { query: "clamp(" })).output, /src\/limit\.ts:2:/, "plain text needs no escaping");
    });

    it("stops at maxResults and says there are more, or when the run is stopped", async () => {
      const result = await run("search", { query: "^line \\d+$", regex: true, path: "big.txt", maxResults: 50 });
      const found = result.output.split("\n");
      assert.equal(found.length, 50);
      assert.equal(found[49], "big.txt:50: line 50");
      assert.match(result.truncated!, /stopped at 50 matches; there are more/);
      const stopped = new AbortController();
      stopped.abort();
      await assert.rejects(run("search", { query: "line" }, context({ signal: stopped.signal })), { name: "AbortError" });
      const none = await run("search", { query: "no such text anywhere" });
      assert.match(none.output, /^No matches for "no such text anywhere" \(\d+ files searched\)/);
    });
  });

  describe("editing", () => {
    it("writes a new file into new folders, and keeps an existing file's mode", async () => {
      const edit = await apply("write_file", { path: "docs/api/v1/README.md", content: "# v1\n", reason: "document v1" });
      assert.deepEqual(edit, { path: "docs/api/v1/README.md", before: null, after: "# v1\n" });
      assert.equal(disk("docs/api/v1/README.md"), "# v1\n");
      writeFileSync(join(root, "run.sh"), "#!/bin/sh\necho old\n");
      chmodSync(join(root, "run.sh"), 0o750);
      const again = await apply("write_file", { path: "run.sh", content: "#!/bin/sh\necho new\n" });
      assert.equal(again.before, "#!/bin/sh\necho old\n");
      assert.equal(statSync(join(root, "run.sh")).mode & 0o777, 0o750);
      assert.equal(tool("write_file").reason!(tool("write_file").args.parse({ path: "a", content: "", reason: "why" })), "why");
    });

    it("replaces exact text once, or everywhere when asked", async () => {
      const edit = await apply("edit_file", { path: "src/limit.ts", old_text: "LIMIT = 5", new_text: "LIMIT = 10" });
      assert.equal(edit.before!.includes("LIMIT = 5;"), true);
      assert.equal(disk("src/limit.ts").split("\n")[0], "export const LIMIT = 10;");
      await apply("edit_file", { path: "src/limit.ts", old_text: "LIMIT", new_text: "MAX", replace_all: true });
      assert.equal(disk("src/limit.ts").match(/MAX/g)?.length, 2);
    });

    it("refuses an ambiguous replacement, saying how often and where", async () => {
      writeFileSync(join(root, "dup.ts"), "a();\nreturn x;\nb();\nreturn x;\nreturn x;\n");
      await assert.rejects(
        plan("edit_file", { path: "dup.ts", old_text: "return x;", new_text: "return y;" }),
        codeOf(ErrorCode.Conflict, /appears 3 times in dup\.ts \(at lines 2, 4, 5\)[^]*replace_all/),
      );
    });

    it("shows the closest text when old_text is not found", async () => {
      const code = lines(40, (i) => `const value${i} = compute(${i});`);
      writeFileSync(join(root, "values.ts"), code);
      const wrong = "const value17 = compute(17);\nconst value18 = computeIt(18);";
      await assert.rejects(plan("edit_file", { path: "values.ts", old_text: wrong, new_text: "x" }), (err: Failure) => {
        assert.equal(err.code, ErrorCode.NotFound);
        assert.match(err.message, /old_text was not found in values\.ts/);
        assert.match(err.message, /most similar text is at lines 17–18/);
        assert.match(err.message, / {2}17│const value17 = compute\(17\);\n {2}18│const value18 = compute\(18\);/);
        return true;
      });
      const indented = "const value3 = compute(3);\n    const value4 = compute(4);";
      await assert.rejects(
        plan("edit_file", { path: "values.ts", old_text: indented, new_text: "x" }),
        codeOf(ErrorCode.NotFound, /Lines 3–4 match it when spaces are ignored, so only whitespace differs/),
      );
      await assert.rejects(
        plan("edit_file", { path: "values.ts", old_text: "  12│const value12", new_text: "x" }),
        codeOf(ErrorCode.NotFound, /line numbers as read_file shows them/),
      );
    });

    it("refuses an empty old_text and a missing file, saying what to use instead", async () => {
      await assert.rejects(
        plan("edit_file", { path: "README.md", old_text: "", new_text: "x" }),
        codeOf(ErrorCode.BadRequest, /empty/),
      );
      await assert.rejects(
        plan("edit_file", { path: "nope.ts", old_text: "a", new_text: "b" }),
        codeOf(ErrorCode.NotFound, /nope\.ts does not exist\. To create it, use write_file/),
      );
    });

    it("keeps CRLF line endings when the model writes LF", async () => {
      await apply("edit_file", { path: "windows.txt", old_text: "first\nsecond\n", new_text: "one\ntwo\n" });
      assert.equal(disk("windows.txt"), "one\r\ntwo\r\nthird\r\n");
    });

    it("turns a file-system failure into an error the model is told", async () => {
      const name = `${"n".repeat(300)}.txt`;
      await assert.rejects(
        workspace.writeText(name, "x"),
        codeOf(ErrorCode.Internal, /^Could not write n+\.txt: .*ENAMETOOLONG/),
      );
    });

    it("deletes a file, and a link rather than what it points to", async () => {
      writeFileSync(join(root, "old.txt"), "bye\n");
      assert.deepEqual(await apply("delete_file", { path: "old.txt" }), { path: "old.txt", before: "bye\n", after: null });
      assert.throws(() => statSync(join(root, "old.txt")));
      await apply("delete_file", { path: "readme-link" });
      assert.throws(() => lstatSync(join(root, "readme-link")));
      assert.equal(disk("README.md"), "# api-service\n");
    });
  });

  describe("refusals", () => {
    it("refuses paths that leave the workspace", async () => {
      for (const path of ["../x", "/etc/passwd", "src/../../x", "escape/passwd", "passwd-link"]) {
        await assert.rejects(run("read_file", { path }), codeOf(ErrorCode.OutsideWorkspace), path);
        await assert.rejects(plan("write_file", { path, content: "x" }), codeOf(ErrorCode.OutsideWorkspace), path);
      }
      await assert.rejects(plan("write_file", { path: "escape/new.txt", content: "x" }), codeOf(ErrorCode.OutsideWorkspace));
      await assert.rejects(plan("write_file", { path: "dangling", content: "x" }), codeOf(ErrorCode.OutsideWorkspace));
      await assert.rejects(workspace.writeText("dangling/sub/file.txt", "x"), codeOf(ErrorCode.OutsideWorkspace));
      assert.throws(() => statSync(join(outside, "made-by-a-write.txt")), "nothing was written through the link");
    });

    it("never reads or writes secrets, or git's own data", async () => {
      for (const path of [".env", "config/server.pem", "config/new.key"]) {
        await assert.rejects(plan("write_file", { path, content: "x" }), codeOf(ErrorCode.SecretFile), path);
      }
      await assert.rejects(run("read_file", { path: ".env" }), codeOf(ErrorCode.SecretFile));
      await assert.rejects(plan("delete_file", { path: ".env" }), codeOf(ErrorCode.SecretFile));
      await assert.rejects(plan("write_file", { path: ".git/config", content: "x" }), codeOf(ErrorCode.Forbidden, /\.git/));
      await assert.rejects(plan("write_file", { path: ".git/hooks/pre-commit", content: "x" }), codeOf(ErrorCode.Forbidden));
      assert.equal(disk(".git/config"), "[core]\n");
      assert.equal(disk(".env"), "API_KEY=sk-live-123 TODO\n");
    });
  });

  describe("commands", () => {
    it("streams output in order and reports the exit code", async () => {
      const chunks: string[] = [];
      const result = await run(
        "run_command",
        { command: "echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three; exit 3" },
        context({ onOutput: (c) => chunks.push(c) }),
      );
      assert.equal(chunks.join(""), "one\ntwo\nthree\n");
      assert.equal(result.ok, false);
      assert.equal(result.exitCode, 3);
      assert.match(result.output, /^one\ntwo\nthree\n\nexit code 3 \(/);
      assert.equal((await run("run_command", { command: "true" })).ok, true);
    });

    it("runs in the folder asked for, and only inside the workspace", async () => {
      const { output } = await run("run_command", { command: "pwd -P", cwd: "src" });
      assert.equal(output.split("\n")[0], realpathSync(join(root, "src")));
      await assert.rejects(run("run_command", { command: "pwd", cwd: "../" }), codeOf(ErrorCode.OutsideWorkspace));
      await assert.rejects(run("run_command", { command: "pwd", cwd: "escape" }), codeOf(ErrorCode.OutsideWorkspace));
    });

    it("decodes characters split across chunks, streams colours and gives the model plain text", async () => {
      const chunks: string[] = [];
      const result = await run(
        "run_command",
        { command: "printf '\\342\\234'; sleep 0.2; printf '\\223 \\033[32mpassed\\033[0m\\n'" },
        context({ onOutput: (c) => chunks.push(c) }),
      );
      assert.equal(chunks.join(""), "✓ \x1b[32mpassed\x1b[0m\n");
      assert.match(result.output, /^✓ passed\n/);
    });

    it("kills a command that runs past its timeout", async () => {
      const started = Date.now();
      const result = await run("run_command", { command: "sleep 30", timeoutSec: 0.5 });
      assert.ok(Date.now() - started < 5000);
      assert.equal(result.ok, false);
      assert.match(result.output, /timed out after 0\.5 s/);
    });

    it("stops the whole process group when the run is aborted", async () => {
      const abort = new AbortController();
      let out = "";
      const pending = run(
        "run_command",
        { command: "sleep 30 & echo $!; sleep 30; wait" },
        context({ signal: abort.signal, onOutput: (c) => (out += c) }),
      );
      const pid = Number((await until("the background child's pid", () => /^(\d+)\n/.exec(out)))[1]);
      assert.ok(pid > 0 && alive(pid), "the background child is running");
      const stoppedAt = Date.now();
      abort.abort();
      const result = await pending;
      assert.ok(Date.now() - stoppedAt < 3000);
      assert.equal(result.ok, false);
      assert.match(result.output, /stopped by the user/);
      await until("the grandchild to die with its group", () => !alive(pid), 3_000);
    });

    it("gives the model the end of a long output and names the total", async () => {
      const result = await run("run_command", { command: "seq 1 100000" });
      const shown = result.output.split("\n");
      assert.equal(shown[0], "99601");
      assert.equal(shown[399], "100000");
      assert.match(result.truncated!, /last 400 lines of 100,000 \(575\.1 KB\)/);
    });

    it("keeps the start and the end of output beyond the runner's cap", async () => {
      const runner = createProcessRunner({ maxOutputChars: 10_000 });
      const result = await runner.run({
        command: "seq 1 100000",
        cwd: root,
        timeoutMs: 10_000,
        signal: new AbortController().signal,
        onOutput: () => undefined,
      });
      assert.equal(result.exitCode, 0);
      assert.equal(result.outputBytes, 588_895);
      assert.ok(result.output.startsWith("1\n2\n3\n"));
      assert.ok(result.output.endsWith("99999\n100000\n"));
      assert.match(result.output, /\[… [\d,]+ characters of output cut …\]/);
      assert.ok(result.output.length < 10_100);
    });
  });
});

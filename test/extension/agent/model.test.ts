import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { AnthropicModel } from "../../../extension/core/agent/model/anthropic";
import { describeModelOptions, resolveModel } from "../../../extension/core/agent/model/config";
import { OpenAIModel } from "../../../extension/core/agent/model/openai";
import {
  ModelError,
  ModelNotConfigured,
  type ModelMessage,
  type ModelPort,
  type ModelRequest,
  type ToolSpec,
} from "../../../extension/core/agent/model/port";
import { formatRetry, withRetry, type RetryInfo } from "../../../extension/core/agent/model/retry";
import {
  startFakeAnthropic,
  startFakeOpenAI,
  type FakeFailure,
  type FakeModelServer,
  type FakeTurn,
} from "../../support/fakeModels";
import { until } from "../../support/wait";

const readFile: ToolSpec = {
  name: "read_file",
  description: "Read a file of the workspace.",
  parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
};

function ask(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    system: "You are a careful coding agent.",
    messages: [{ role: "user", content: "Fix the failing test." }],
    tools: [readFile],
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** Rejects with what `promise` rejected with, failing if it resolved. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail("expected the call to fail");
}

const noWait = (slept: number[]) => async (ms: number) => void slept.push(ms);

interface Provider {
  name: string;
  start(script: (FakeTurn | FakeFailure)[]): Promise<FakeModelServer<unknown>>;
  model(url: string): ModelPort;
  /** How the provider words the 401 it sends by default in the fake. */
  unauthorized: FakeFailure;
}

const providers: Provider[] = [
  {
    name: "OpenAI-compatible",
    start: startFakeOpenAI,
    model: (url) => new OpenAIModel({ model: "gpt-test", baseURL: url, apiKey: "sk-test" }),
    unauthorized: { status: 401, message: "Incorrect API key provided: sk-test. You can find your API key at platform." },
  },
  {
    name: "Anthropic",
    start: startFakeAnthropic,
    model: (url) => new AnthropicModel({ model: "claude-test", baseURL: url, apiKey: "sk-ant-test" }),
    unauthorized: { status: 401, message: "invalid x-api-key" },
  },
];

for (const provider of providers) {
  describe(`${provider.name} adapter, through the real SDK`, () => {
    let server: FakeModelServer<unknown>;
    afterEach(() => server?.close());

    it("streams text piece by piece and ends the turn", async () => {
      server = await provider.start([{ text: "The test fails because the fixture is stale.", usage: { input: 42, output: 9 } }]);
      const pieces: string[] = [];
      const turn = await provider.model(server.url).complete(ask({ onText: (delta) => pieces.push(delta) }));
      assert.ok(pieces.length > 3, "text arrives in several pieces");
      assert.equal(pieces.join(""), "The test fails because the fixture is stale.");
      assert.deepEqual(turn, { text: pieces.join(""), toolCalls: [], stop: "end", usage: { input: 42, output: 9 } });
    });

    it("assembles a tool call whose arguments arrive across chunks", async () => {
      server = await provider.start([{ toolCalls: [{ id: "call_1", name: "read_file", args: { path: "src/app.test.ts" } }] }]);
      const turn = await provider.model(server.url).complete(ask());
      assert.equal(turn.stop, "tool-calls");
      assert.equal(turn.toolCalls.length, 1);
      const [call] = turn.toolCalls;
      assert.deepEqual([call!.id, call!.name, JSON.parse(call!.args)], ["call_1", "read_file", { path: "src/app.test.ts" }]);
    });

    it("keeps two parallel tool calls apart, after the text that came first", async () => {
      server = await provider.start([
        {
          text: "Reading both files.",
          toolCalls: [
            { id: "call_a", name: "read_file", args: { path: "a.ts" } },
            { id: "call_b", name: "read_file", args: { path: 'b/with "quotes" and ünïcode.ts' } },
          ],
        },
      ]);
      const turn = await provider.model(server.url).complete(ask());
      assert.equal(turn.text, "Reading both files.");
      assert.deepEqual(
        turn.toolCalls.map((call) => [call.id, call.name, JSON.parse(call.args)]),
        [
          ["call_a", "read_file", { path: "a.ts" }],
          ["call_b", "read_file", { path: 'b/with "quotes" and ünïcode.ts' }],
        ],
      );
    });

    it("reports an answer cut at max tokens", async () => {
      server = await provider.start([{ text: "This answer goes on and", cut: true }]);
      const turn = await provider.model(server.url).complete(ask());
      assert.equal(turn.stop, "length");
    });

    it("fails a 401 at once, with the provider's own words", async () => {
      server = await provider.start([provider.unauthorized, { text: "never reached" }]);
      const retries: RetryInfo[] = [];
      const model = withRetry(provider.model(server.url), { baseDelayMs: 10, onRetry: (info) => retries.push(info) });
      const error = await rejection(model.complete(ask()));
      assert.ok(error instanceof ModelError);
      assert.equal(error.status, 401);
      assert.equal(error.retryable, false);
      assert.ok(error.message.includes(`${server.url} answered 401: ${provider.unauthorized.message}`), error.message);
      assert.deepEqual([server.requests.length, retries.length], [1, 0]);
    });

    it("waits as long as retry-after says after a 429, then answers", async () => {
      server = await provider.start([{ status: 429, message: "Rate limit reached.", retryAfter: 3 }, { text: "Done." }]);
      const retries: RetryInfo[] = [];
      const slept: number[] = [];
      const model = withRetry(provider.model(server.url), { onRetry: (info) => retries.push(info), sleep: noWait(slept) });
      const turn = await model.complete(ask());
      assert.equal(turn.text, "Done.");
      assert.deepEqual(
        retries.map((info) => [info.attempt, info.inMs, info.status]),
        [[1, 3000, 429]],
      );
      assert.deepEqual(slept, [3000]);
      assert.match(retries[0]!.message, /Rate limit reached/);
      assert.equal(formatRetry(retries[0]!), "The model is busy (429 rate limited); retrying in 3 s (attempt 2 of 5).");
    });

    it("gives up after the last attempt when the server keeps failing", async () => {
      server = await provider.start([{ status: 500 }, { status: 500 }, { status: 500 }, { text: "too late" }]);
      const retries: RetryInfo[] = [];
      const model = withRetry(provider.model(server.url), {
        attempts: 3,
        baseDelayMs: 10,
        onRetry: (info) => retries.push(info),
      });
      const error = await rejection(model.complete(ask()));
      assert.ok(error instanceof ModelError);
      assert.match(error.message, /answered 500: .*\(gave up after 3 attempts\)$/);
      assert.deepEqual(
        retries.map((info) => [info.attempt, info.inMs]),
        [
          [1, 10],
          [2, 20],
        ],
      );
      assert.deepEqual([server.requests.length, server.remaining], [3, 1]);
    });

    it("retries an error the server streams before any text", async () => {
      server = await provider.start([{ endEarly: "error" }, { text: "Recovered." }]);
      const slept: number[] = [];
      const turn = await withRetry(provider.model(server.url), { baseDelayMs: 10, sleep: noWait(slept) }).complete(ask());
      assert.equal(turn.text, "Recovered.");
      assert.deepEqual(slept, [10]);
    });

    it("does not retry once text has reached the phone, when the server hangs up", async () => {
      server = await provider.start([{ text: "Half an answer", endEarly: "drop" }, { text: "A second answer" }]);
      const pieces: string[] = [];
      const model = withRetry(provider.model(server.url), { baseDelayMs: 10 });
      const error = await rejection(model.complete(ask({ onText: (delta) => pieces.push(delta) })));
      assert.ok(error instanceof ModelError);
      assert.ok(error.message.endsWith(`${server.url} dropped the connection mid-answer (other side closed).`), error.message);
      assert.equal(pieces.join(""), "Half an answer");
      assert.equal(server.requests.length, 1);
    });

    it("stops mid-stream on abort: rejects with AbortError and hangs up on the server", async () => {
      server = await provider.start([{ text: "one two three four five six seven eight nine ten", delayMs: 100 }]);
      const controller = new AbortController();
      const pieces: string[] = [];
      const onText = (delta: string) => {
        pieces.push(delta);
        controller.abort();
      };
      const started = Date.now();
      const error = await rejection(provider.model(server.url).complete(ask({ signal: controller.signal, onText })));
      assert.equal(error.name, "AbortError");
      assert.ok(Date.now() - started < 1000, "the stop is quick");
      assert.deepEqual(pieces, ["one "]);
      await until("the request to be aborted", () => server.requests[0]!.aborted);
    });

    it("stops a retry wait on abort", async () => {
      server = await provider.start([{ status: 503, retryAfter: 30 }]);
      const controller = new AbortController();
      const model = withRetry(provider.model(server.url), { onRetry: () => controller.abort() });
      const started = Date.now();
      const error = await rejection(model.complete(ask({ signal: controller.signal })));
      assert.equal(error.name, "AbortError");
      assert.ok(Date.now() - started < 1000);
    });

    it("says which server it could not reach, and calls that retryable", async () => {
      const url = await closedPortUrl(provider.name === "Anthropic" ? "" : "/v1");
      const error = await rejection(provider.model(url).complete(ask()));
      assert.ok(error instanceof ModelError);
      assert.equal(error.retryable, true);
      assert.ok(error.message.startsWith(`Could not reach `), error.message);
      assert.match(error.message, new RegExp(`${url.replace(/[./]/g, "\\$&")} \\(.*ECONNREFUSED`));
    });
  });
}

const conversation: ModelMessage[] = [
  { role: "user", content: "Why does the build fail?" },
  {
    role: "assistant",
    content: "Let me look.",
    toolCalls: [
      { id: "call_1", name: "read_file", args: '{"path":"package.json"}' },
      { id: "call_2", name: "read_file", args: '{"path":"missing.ts"}' },
    ],
  },
  { role: "tool", callId: "call_1", name: "read_file", content: '{"name":"app"}' },
  { role: "tool", callId: "call_2", name: "read_file", content: "no such file: missing.ts", isError: true },
  { role: "user", content: "Also check tsconfig." },
];

describe("the conversation on the wire", () => {
  it("OpenAI: system first, assistant tool_calls, tool messages with tool_call_id", async () => {
    const server = await startFakeOpenAI([{ text: "ok" }]);
    try {
      await new OpenAIModel({ model: "gpt-test", baseURL: server.url, apiKey: "sk-test" }).complete(
        ask({ messages: conversation }),
      );
      const [request] = server.requests;
      assert.equal(request!.headers.authorization, "Bearer sk-test");
      const body = request!.body;
      assert.deepEqual([body.model, body.stream, body.stream_options], ["gpt-test", true, { include_usage: true }]);
      assert.deepEqual(body.tools, [{ type: "function", function: readFile }]);
      assert.deepEqual(body.messages, [
        { role: "system", content: "You are a careful coding agent." },
        { role: "user", content: "Why does the build fail?" },
        {
          role: "assistant",
          content: "Let me look.",
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "read_file", arguments: '{"path":"package.json"}' } },
            { id: "call_2", type: "function", function: { name: "read_file", arguments: '{"path":"missing.ts"}' } },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: '{"name":"app"}' },
        { role: "tool", tool_call_id: "call_2", content: "Error: no such file: missing.ts" },
        { role: "user", content: "Also check tsconfig." },
      ]);
    } finally {
      await server.close();
    }
  });

  it("Anthropic: top-level system, tool_use blocks, tool results merged into one user message", async () => {
    const server = await startFakeAnthropic([{ text: "ok" }]);
    try {
      await new AnthropicModel({ model: "claude-test", baseURL: server.url, apiKey: "sk-ant-test" }).complete(
        ask({ messages: conversation }),
      );
      const [request] = server.requests;
      // SDK 1.x sends the API key as a bearer token, not as `x-api-key`.
      assert.equal(request!.headers.authorization, "Bearer sk-ant-test");
      const body = request!.body;
      assert.deepEqual(
        [body.model, body.stream, body.max_tokens, body.system],
        ["claude-test", true, 8192, "You are a careful coding agent."],
      );
      assert.deepEqual(body.tools, [{ name: "read_file", description: readFile.description, input_schema: readFile.parameters }]);
      assert.deepEqual(body.messages, [
        { role: "user", content: "Why does the build fail?" },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Let me look." },
            { type: "tool_use", id: "call_1", name: "read_file", input: { path: "package.json" } },
            { type: "tool_use", id: "call_2", name: "read_file", input: { path: "missing.ts" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "call_1", content: '{"name":"app"}' },
            { type: "tool_result", tool_use_id: "call_2", content: "no such file: missing.ts", is_error: true },
            { type: "text", text: "Also check tsconfig." },
          ],
        },
      ]);
    } finally {
      await server.close();
    }
  });
});

describe("OpenAI quota", () => {
  it("does not retry a 429 that says the quota is spent", async () => {
    const quota = {
      message: "You exceeded your current quota, please check your plan.",
      type: "insufficient_quota",
      code: "insufficient_quota",
    };
    const server = await startFakeOpenAI([{ status: 429, body: { error: quota } }]);
    try {
      const model = withRetry(new OpenAIModel({ model: "gpt-test", baseURL: server.url, apiKey: "sk-test" }), {
        baseDelayMs: 10,
      });
      const error = await rejection(model.complete(ask()));
      assert.ok(error instanceof ModelError);
      assert.deepEqual([error.status, error.retryable, server.requests.length], [429, false, 1]);
      assert.match(error.message, /answered 429: You exceeded your current quota/);
    } finally {
      await server.close();
    }
  });
});

describe("model configuration", () => {
  const notConfigured = (options: Parameters<typeof resolveModel>[0], env: NodeJS.ProcessEnv) => {
    try {
      resolveModel(options, env);
    } catch (error) {
      assert.ok(error instanceof ModelNotConfigured, String(error));
      return error.message;
    }
    assert.fail("expected ModelNotConfigured");
  };

  it("with no model, lists the ways to choose one", () => {
    const message = notConfigured({}, { OPENAI_API_KEY: "sk-secret" });
    assert.match(message, /--model/);
    assert.match(message, /TETHER_MODEL/);
    for (const example of ["anthropic:claude-sonnet-4-5", "openai:gpt-4.1", "ollama:qwen2.5-coder"])
      assert.ok(message.includes(example));
  });

  it("names the missing key, and never shows a key that is set", () => {
    assert.equal(
      notConfigured({ model: "gpt-4.1" }, { ANTHROPIC_API_KEY: "sk-ant-secret" }),
      "OPENAI_API_KEY is not set. Set it, or point OPENAI_BASE_URL at a local server such as Ollama (http://localhost:11434/v1).",
    );
    assert.match(
      notConfigured({ model: "anthropic:claude-sonnet-4-5" }, { OPENAI_API_KEY: "sk-secret" }),
      /^ANTHROPIC_API_KEY is not set/,
    );
    assert.match(notConfigured({ model: "claude-sonnet-4-5" }, {}), /ANTHROPIC_API_KEY/);
    const badUrl = notConfigured({ model: "gpt-4.1" }, { OPENAI_API_KEY: "sk-secret", OPENAI_BASE_URL: "localhost:11434" });
    assert.match(badUrl, /^OPENAI_BASE_URL must be an http\(s\) URL/);
    assert.ok(!badUrl.includes("sk-secret"));
  });

  it("reads provider:model, infers the provider of a bare name, and prefers --model to TETHER_MODEL", () => {
    const env = { OPENAI_API_KEY: "sk-o", ANTHROPIC_API_KEY: "sk-a", TETHER_MODEL: "openai:gpt-4.1" };
    assert.equal(resolveModel({}, env).id, "openai:gpt-4.1");
    assert.ok(resolveModel({}, env) instanceof OpenAIModel);
    const claude = resolveModel({ model: "claude-sonnet-4-5" }, env);
    assert.ok(claude instanceof AnthropicModel);
    assert.equal(claude.id, "anthropic:claude-sonnet-4-5");
    assert.equal(resolveModel({ model: "anthropic:claude-opus-4-1" }, env).id, "anthropic:claude-opus-4-1");
    assert.equal(resolveModel({ model: "my-finetune", provider: "anthropic" }, env).id, "anthropic:my-finetune");
    assert.equal(resolveModel({ model: "gpt-4.1-mini" }, env).id, "openai:gpt-4.1-mini");
  });

  it("runs Ollama models without a key, colons in the name included", async () => {
    const server = await startFakeOpenAI([{ text: "hi" }]);
    try {
      const model = resolveModel({ model: "ollama:qwen2.5-coder:7b", baseUrl: server.url }, { OPENAI_API_KEY: "sk-secret" });
      assert.equal(model.id, "ollama:qwen2.5-coder:7b");
      assert.equal((await model.complete(ask())).text, "hi");
      assert.equal(server.requests[0]!.body.model, "qwen2.5-coder:7b");
      // The OpenAI key is not handed to a local server.
      assert.equal(server.requests[0]!.headers.authorization, "Bearer none");
    } finally {
      await server.close();
    }
  });

  it("takes OPENAI_BASE_URL without a key, and ANTHROPIC_BASE_URL with one", async () => {
    const openai = await startFakeOpenAI([{ text: "from LM Studio" }]);
    const anthropic = await startFakeAnthropic([{ text: "from the proxy" }]);
    try {
      const local = resolveModel({ model: "qwen2.5-coder-7b-instruct" }, { OPENAI_BASE_URL: `${openai.url}/` });
      assert.equal((await local.complete(ask())).text, "from LM Studio");
      // A current model name: the SDK warns on the console about deprecated ones.
      const proxied = resolveModel(
        { model: "claude-sonnet-9" },
        { ANTHROPIC_API_KEY: "sk-a", ANTHROPIC_BASE_URL: anthropic.url },
      );
      assert.equal((await proxied.complete(ask())).text, "from the proxy");
      assert.equal(anthropic.requests[0]!.headers.authorization, "Bearer sk-a");
    } finally {
      await Promise.all([openai.close(), anthropic.close()]);
    }
  });

  it("describes the options for --help", () => {
    const help = describeModelOptions();
    for (const name of ["TETHER_MODEL", "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "ollama:"]) {
      assert.ok(help.includes(name), name);
    }
  });
});

describe("formatRetry", () => {
  it("words connection failures and server errors too", () => {
    const info = { attempt: 1, attempts: 5, inMs: 2000, message: "x" };
    assert.equal(
      formatRetry({ ...info, status: undefined }),
      "The model request failed (connection failed); retrying in 2 s (attempt 2 of 5).",
    );
    assert.equal(
      formatRetry({ ...info, attempt: 3, inMs: 8000, status: 529 }),
      "The model is busy (529 overloaded); retrying in 8 s (attempt 4 of 5).",
    );
  });
});

/** A base URL on a port nothing listens on. */
async function closedPortUrl(path: string): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}${path}`;
}

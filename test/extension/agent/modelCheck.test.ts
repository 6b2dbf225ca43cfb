// The model check at start, against real HTTP servers speaking each provider's protocol and
// the real SDKs: what the phone is told for a good setup, a bad key, a stopped server, an
// unknown model, a hung server and no model at all.

import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { checkModel, describeModelFailure } from "../../../extension/core/agent/model/check";
import { resolveModel } from "../../../extension/core/agent/model/config";
import { ModelNotConfigured, UnknownModel } from "../../../extension/core/agent/model/port";
import { hostProfileSchema } from "#protocol";
import { startFakeAnthropic, startFakeOpenAI } from "../../support/fakeModels";

const openai = (model: string, baseUrl: string) => () =>
  resolveModel({ model: `openai:${model}`, baseUrl, apiKey: "sk-test" }, {});
const anthropic = (model: string, baseUrl: string) => () =>
  resolveModel({ model: `anthropic:${model}`, baseUrl, apiKey: "sk-ant-test" }, {});

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("model check at start", () => {
  it("is ok when the OpenAI-compatible server lists the model, and spends no tokens", async () => {
    const fake = await startFakeOpenAI();
    try {
      assert.deepEqual(await checkModel(openai("gpt-test", fake.url)), { state: "ok" });
      assert.equal(fake.modelChecks, 1);
      assert.equal(fake.requests.length, 0, "no chat completion was asked for");
    } finally {
      await fake.close();
    }
  });

  it("is ok for an Anthropic model the server finds", async () => {
    const fake = await startFakeAnthropic();
    try {
      assert.deepEqual(await checkModel(anthropic("test-claude", fake.url)), { state: "ok" });
      assert.equal(fake.requests.length, 0);
    } finally {
      await fake.close();
    }
  });

  it("says the key was refused on a 401, naming the server", async () => {
    for (const start of [startFakeOpenAI, startFakeAnthropic] as const) {
      const fake = await start();
      fake.modelsFailure = { status: 401, message: "Incorrect API key provided" };
      try {
        const resolve = start === startFakeOpenAI ? openai("gpt-test", fake.url) : anthropic("test-claude", fake.url);
        const status = await checkModel(resolve);
        assert.equal(status.state, "error");
        assert.match(status.detail ?? "", /refused the API key \(401\)/);
        assert.equal(status.server, new URL(fake.url).host);
        assert.doesNotMatch(status.detail ?? "", /sk-/, "the key never appears");
      } finally {
        await fake.close();
      }
    }
  });

  it("says nothing is listening when the connection is refused", async () => {
    const port = await closedPort();
    const status = await checkModel(openai("gpt-test", `http://127.0.0.1:${port}/v1`));
    assert.equal(status.state, "error");
    assert.match(status.detail ?? "", /nothing is listening there \(connection refused\)/);
    assert.equal(status.server, `127.0.0.1:${port}`);
  });

  it("names a model the server does not have", async () => {
    const openaiFake = await startFakeOpenAI();
    const anthropicFake = await startFakeAnthropic();
    try {
      for (const resolve of [openai("gpt-nope", openaiFake.url), anthropic("claude-nope", anthropicFake.url)]) {
        const status = await checkModel(resolve);
        assert.equal(status.state, "error");
        assert.match(status.detail ?? "", /does not have the model "(gpt|claude)-nope"/);
      }
    } finally {
      await Promise.all([openaiFake.close(), anthropicFake.close()]);
    }
  });

  it("gives up on a server that does not answer, within the timeout", async () => {
    const hung: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
    const { port } = hung.address() as AddressInfo;
    try {
      const started = Date.now();
      const status = await checkModel(openai("gpt-test", `http://127.0.0.1:${port}/v1`), 300);
      assert.ok(Date.now() - started < 3000);
      assert.equal(status.state, "error");
      assert.match(status.detail ?? "", /did not answer within/);
    } finally {
      hung.closeAllConnections();
      await new Promise((resolve) => hung.close(resolve));
    }
  });

  it("is missing, with what to set, when no model is configured", async () => {
    const status = await checkModel(() => resolveModel({}, {}));
    assert.equal(status.state, "missing");
    assert.match(status.detail ?? "", /--model or set TETHER_MODEL/);
  });

  it("is missing when the model's own check finds none offered (the editor's models)", async () => {
    const editor = {
      id: "vscode:default",
      complete: () => Promise.reject(new Error("not asked")),
      check: () => Promise.reject(new ModelNotConfigured("VS Code offers no language models.")),
    };
    assert.deepEqual(await checkModel(() => editor), { state: "missing", detail: "VS Code offers no language models." });
    assert.deepEqual(await checkModel(() => ({ ...editor, check: () => Promise.resolve() })), { state: "ok" });
  });

  it("fits the sealed host profile, and older profiles without it still parse", async () => {
    const base = { name: "desk", workspace: "app", platform: "linux", version: "1.0.0" };
    const port = await closedPort();
    const status = await checkModel(openai("gpt-test", `http://127.0.0.1:${port}/v1`));
    assert.ok(hostProfileSchema.safeParse({ ...base, model: status }).success);
    assert.ok(hostProfileSchema.safeParse(base).success);
    assert.equal(hostProfileSchema.safeParse({ ...base, model: { state: "fine" } }).success, false);
  });
});

describe("describeModelFailure", () => {
  it("maps the SDKs' failures to words a person can act on", () => {
    const http = (status: number) => Object.assign(new Error(`${status}`), { status });
    assert.match(describeModelFailure(http(403)), /not allowed to use it \(403\)/);
    assert.match(describeModelFailure(http(404)), /no model list at that address \(404\)/);
    assert.match(describeModelFailure(http(503)), /problem of its own \(503\)/);
    assert.match(describeModelFailure(new UnknownModel("m")), /does not have the model "m"/);
    const timeout = Object.assign(new Error("The operation timed out."), { name: "TimeoutError" });
    assert.match(describeModelFailure(timeout, 5000), /within 5 seconds/);
    const dns = new Error("Connection error.", {
      cause: Object.assign(new TypeError("fetch failed"), { cause: { code: "ENOTFOUND" } }),
    });
    assert.match(describeModelFailure(dns), /does not resolve/);
  });
});

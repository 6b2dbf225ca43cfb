// A phone browsing a task's worktree: list-dir, read-file and search with the thread's id, sealed
// and answered by the real RpcServer over real worktrees, under the workspace's own rules.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ErrorCode,
  PAIRWISE_EPOCH,
  generateContentKey,
  open,
  rpcReplySchema,
  seal,
  sealContext,
  type ListDirResult,
  type ReadFileResult,
  type RpcCall,
  type RpcReply,
  type WorkspaceSearchResult,
} from "#protocol";
import type { HostIdentity } from "../../../extension/core/identity";
import type { RelayLink } from "../../../extension/core/link/relayLink";
import { Mirror } from "../../../extension/core/mirror/mirror";
import { RpcServer } from "../../../extension/core/rpc/rpcServer";
import { nodeFileSystem } from "../../../extension/node/nodeFileSystem";
import { quietLog } from "../../support/host";
import { call as step, runTask, worktreeBench, worktreePath, type WorktreeBench } from "../../support/worktreeTasks";

const HOST = "host-1";
const PHONE = "phone-1";

describe("a phone browsing a task's worktree", function () {
  this.timeout(60_000);
  let bench: WorktreeBench;
  let server: RpcServer;
  let key: CryptoKey;
  let calls = 0;

  before(async () => {
    bench = await worktreeBench();
    const { manager } = bench.threads;
    bench.plan.set("Feature", [step("write_file", { path: "src/feature.ts", content: "export const feature = 'wombat';\n" })]);
    await runTask(manager, "t-wt", "Feature: add it", true);
    await runTask(manager, "t-ws", "Nothing: only look", false);
    writeFileSync(join(worktreePath(manager, "t-wt"), ".env"), "TOKEN=wombat-secret\n");

    const mirror = await Mirror.open({ fs: nodeFileSystem, root: bench.fx.workspace });
    key = await generateContentKey();
    const identity = {
      phones: () => [{ id: PHONE }],
      commandKey: (_relay: string, id: string) => (id === PHONE ? key : undefined),
      settledJoins: async () => false,
      wasRevoked: () => false,
      contentKey: () => undefined,
      epoch: 1,
    } as unknown as HostIdentity;
    const link = {
      relay: "http://relay.test",
      deviceId: HOST,
      socket: { on: () => undefined, off: () => undefined },
    } as unknown as RelayLink;
    server = new RpcServer(link, identity, mirror, quietLog, undefined, undefined, manager);
  });

  after(async () => {
    server.dispose();
    await bench.close();
  });

  async function ask(body: RpcCall): Promise<RpcReply> {
    const id = `call-${++calls}`;
    const box = await seal(key, PAIRWISE_EPOCH, body, sealContext.rpcCall(HOST, PHONE, id));
    const answer = await server.answer({ from: PHONE, id, box });
    assert.ok(answer.ok, "the host opened the call");
    return rpcReplySchema.parse(await open(key, answer.box, sealContext.rpcReply(HOST, PHONE, id)));
  }

  async function result<T>(body: RpcCall): Promise<T> {
    const reply = await ask(body);
    assert.ok(reply.ok, reply.ok ? "" : reply.message);
    return reply.result as T;
  }

  const names = (listing: ListDirResult): string[] => listing.entries.map((e) => e.name).sort();

  it("lists and reads the worktree for its thread, without its secrets", async () => {
    const listing = await result<ListDirResult>({ type: "list-dir", path: "src", threadId: "t-wt" });
    assert.deepEqual(names(listing), ["app.ts", "feature.ts"]);
    const root = await result<ListDirResult>({ type: "list-dir", path: "", threadId: "t-wt" });
    assert.ok(!names(root).includes(".env"), "a secret in the worktree is hidden as in the workspace");
    const file = await result<ReadFileResult>({ type: "read-file", path: "src/feature.ts", threadId: "t-wt" });
    assert.match(JSON.stringify(file), /wombat/);
    const secret = await ask({ type: "read-file", path: ".env", threadId: "t-wt" });
    assert.ok(!secret.ok && secret.code === ErrorCode.SecretFile);
    const found = await result<WorkspaceSearchResult>({ type: "search", query: "wombat", threadId: "t-wt" });
    assert.deepEqual(
      found.matches.map((m) => m.path),
      ["src/feature.ts"],
    );
  });

  it("reads the workspace without a thread, or for a thread that runs there", async () => {
    assert.deepEqual(names(await result<ListDirResult>({ type: "list-dir", path: "src" })), ["app.ts"]);
    assert.deepEqual(names(await result<ListDirResult>({ type: "list-dir", path: "src", threadId: "t-ws" })), ["app.ts"]);
    const missing = await ask({ type: "read-file", path: "src/feature.ts", threadId: "t-ws" });
    assert.ok(!missing.ok && missing.code === ErrorCode.NotFound);
  });

  it("answers NotFound for a thread the host does not have", async () => {
    const reply = await ask({ type: "list-dir", path: "", threadId: "t-unknown" });
    assert.ok(!reply.ok && reply.code === ErrorCode.NotFound);
  });
});

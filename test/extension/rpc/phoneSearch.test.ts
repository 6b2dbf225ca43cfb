// The host's answer to a phone's workspace search, as the phone gets it: the call sealed with the
// phone's command key, answered by the real RpcServer over a real workspace on disk, the reply
// opened with the same key. What the mirror hides from listings must not come back as a match.

import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  MAX_SEARCH_RESULTS,
  PAIRWISE_EPOCH,
  generateContentKey,
  open,
  rpcReplySchema,
  seal,
  sealContext,
  type RpcCall,
  type RpcReply,
  type WorkspaceSearchResult,
} from "#protocol";
import type { HostIdentity } from "../../../extension/core/identity";
import type { RelayLink } from "../../../extension/core/link/relayLink";
import type { Log } from "../../../extension/core/log";
import { Mirror } from "../../../extension/core/mirror/mirror";
import { searchForPhone } from "../../../extension/core/rpc/phoneSearch";
import { RpcServer } from "../../../extension/core/rpc/rpcServer";
import { nodeFileSystem } from "../../../extension/node/nodeFileSystem";
import { link, makeWorkspace } from "../../support/workspace";

const WORD = "quokka";
const HOST = "host-1";
const PHONE = "phone-1";
const RELAY = "http://relay.test";

describe("a phone's workspace search, answered by the host", () => {
  let root: string;
  let outside: string;
  let server: RpcServer;
  let key: CryptoKey;
  let calls = 0;

  before(async () => {
    outside = makeWorkspace({ [`${WORD}-outside.txt`]: `${WORD} from outside the workspace\n` });
    root = makeWorkspace({
      [`src/${WORD}Finder.ts`]: `export const x = 1;\n// the ${WORD} lives here\n`,
      "README.md": `# Demo\n\nFind the ${WORD.toUpperCase()}.\n`,
      ".env": `TOKEN=${WORD}-secret\n`,
      [`config/.env.${WORD}`]: `TOKEN=${WORD}-secret\n`,
      [`keys/${WORD}.pem`]: `${WORD} private key\n`,
      [`build/${WORD}.js`]: `${WORD} in an ignored folder\n`,
      [`notes/${WORD}.log`]: `${WORD} in an ignored file\n`,
      ".gitignore": "build/\n*.log\n",
      [`.git/${WORD}`]: `${WORD} in git's own folder\n`,
      "docs/travel.md": "../../etc/passwd is a path, written down\n",
    });
    link(root, "out-link", outside);
    link(root, `${WORD}-link.txt`, join(outside, `${WORD}-outside.txt`));
    const mirror = await Mirror.open({ fs: nodeFileSystem, root });
    key = await generateContentKey();
    const phone = { id: PHONE };
    const identity = {
      phones: () => [phone],
      commandKey: (_relay: string, id: string) => (id === PHONE ? key : undefined),
      settledJoins: async () => false,
      wasRevoked: () => false,
      contentKey: () => undefined,
      epoch: 1,
    } as unknown as HostIdentity;
    const relayLink = { relay: RELAY, deviceId: HOST, socket: { on: () => undefined } } as unknown as RelayLink;
    const log = { warn: () => undefined, error: () => undefined, info: () => undefined } as unknown as Log;
    server = new RpcServer(relayLink, identity, mirror, log);
  });

  after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  /** One sealed call through the server, the reply opened as the phone would. */
  async function call(body: RpcCall): Promise<RpcReply> {
    const id = `call-${++calls}`;
    const box = await seal(key, PAIRWISE_EPOCH, body, sealContext.rpcCall(HOST, PHONE, id));
    const answer = await server.answer({ from: PHONE, id, box });
    assert.ok(answer.ok, "the host opened the call");
    return rpcReplySchema.parse(await open(key, answer.box, sealContext.rpcReply(HOST, PHONE, id)));
  }

  async function search(query: string): Promise<WorkspaceSearchResult> {
    const reply = await call({ type: "search", query });
    assert.ok(reply.ok, `search answered: ${reply.ok ? "" : reply.message}`);
    assert.equal(reply.result.type, "search");
    return reply.result as WorkspaceSearchResult;
  }

  it("finds files by name and lines by text, and nothing secret, ignored, in .git or behind a link", async () => {
    const result = await search(WORD);
    assert.deepEqual(
      result.files.map((f) => f.path),
      [`src/${WORD}Finder.ts`],
    );
    assert.deepEqual(
      result.matches.map((m) => `${m.path}:${m.line}: ${m.text}`),
      ["README.md:3: Find the QUOKKA.", `src/${WORD}Finder.ts:2: // the ${WORD} lives here`],
    );
    assert.equal(result.capped, false);
    const everything = JSON.stringify(result);
    for (const hidden of ["secret", "private key", "ignored", "git's own", "outside", ".env", ".pem"]) {
      assert.ok(!everything.includes(hidden), `${hidden} must not be in ${everything}`);
    }
  });

  it("treats a path in the query as text: nothing outside the workspace, no error", async () => {
    const result = await search("../../etc/passwd");
    assert.deepEqual(result.files, []);
    assert.deepEqual(
      result.matches.map((m) => m.path),
      ["docs/travel.md"],
    );
    const up = await search(`../${WORD}`);
    assert.deepEqual([up.files, up.matches], [[], []]);
    const absolute = await search(join(outside, `${WORD}-outside.txt`));
    assert.deepEqual([absolute.files, absolute.matches], [[], []]);
  });

  it("matches a query with a slash against the path inside the workspace", async () => {
    const result = await search(`src/${WORD}`);
    assert.deepEqual(
      result.files.map((f) => f.path),
      [`src/${WORD}Finder.ts`],
    );
  });

  it("caps what it sends and says so", async () => {
    const many = makeWorkspace(
      Object.fromEntries(Array.from({ length: MAX_SEARCH_RESULTS + 5 }, (_, i) => [`f/hit-${i}.txt`, "hit\nhit\n"])),
    );
    try {
      const mirror = await Mirror.open({ fs: nodeFileSystem, root: many });
      const result = await searchForPhone(mirror, "hit");
      assert.equal(result.files.length, MAX_SEARCH_RESULTS);
      assert.equal(result.matches.length, MAX_SEARCH_RESULTS);
      assert.equal(result.capped, true);
      // Only names capped: the walk's own limit says so too.
      const few = await searchForPhone(mirror, "hit-1", { maxListed: 3 });
      assert.equal(few.capped, true);
      mkdirSync(join(many, "g"));
      writeFileSync(join(many, "g", "one.txt"), "once\n");
      const one = await searchForPhone(mirror, "once");
      assert.deepEqual([one.files.length, one.matches.length, one.capped], [0, 1, false]);
    } finally {
      rmSync(many, { recursive: true, force: true });
    }
  });

  it("refuses an empty or overlong query before searching", async () => {
    for (const query of ["", "x".repeat(201)]) {
      const id = `bad-${++calls}`;
      const box = await seal(key, PAIRWISE_EPOCH, { type: "search", query }, sealContext.rpcCall(HOST, PHONE, id));
      const answer = await server.answer({ from: PHONE, id, box });
      assert.equal(answer.ok, false, `query of ${query.length} characters`);
    }
  });
});

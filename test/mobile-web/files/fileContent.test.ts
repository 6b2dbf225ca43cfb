import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { ErrorCode, MAX_READ_BYTES, type ReadFileResult } from "#protocol";
import { Mirror } from "../../../extension/core/mirror/mirror";
import { nodeFileSystem } from "../../../extension/node/nodeFileSystem";
import {
  MAX_IMAGE_BYTES,
  appendContent,
  imageDataUrl,
  startContent,
  type FileContent,
} from "../../../mobile-web/src/files/fileContent";
import { makeWorkspace } from "../../support/workspace";

function slice(fields: Partial<ReadFileResult> & Pick<ReadFileResult, "kind" | "content" | "offset" | "eof">): ReadFileResult {
  return { type: "read-file", path: "notes.txt", size: 100, mtime: 0, mime: "text/plain", ...fields };
}

const rejectedWith = (code: string) => (err: { code?: string }) => err.code === code;

function text(content: FileContent): string {
  assert.equal(content.kind, "text");
  return content.text;
}

describe("file content in slices", () => {
  it("continues a text file where the last slice ended, counting bytes, not characters", () => {
    let content = startContent(slice({ kind: "text", offset: 0, content: "héllo ", eof: false }));
    assert.equal(content.nextOffset, 7);
    content = appendContent(content, slice({ kind: "text", offset: 7, content: "wörld 🚀", eof: true }));
    assert.equal(text(content), "héllo wörld 🚀");
    assert.equal(content.eof, true);
    assert.equal(content.nextOffset, 7 + 11);
  });

  it("reassembles a large multi-byte file read from the computer with Load more, without a broken character", async () => {
    const line = "héllo wörld — ✓ 🚀 日本語\n";
    const body = line.repeat(Math.ceil((MAX_READ_BYTES * 2.5) / Buffer.byteLength(line)));
    const root = makeWorkspace({ "big.txt": body });
    try {
      const mirror = await Mirror.open({ fs: nodeFileSystem, root });
      let content = startContent(await mirror.readFile("big.txt"));
      let loads = 0;
      let cutShort = 0;
      while (!content.eof) {
        const next = await mirror.readFile("big.txt", content.nextOffset);
        if (!next.eof && Buffer.byteLength(next.content) < MAX_READ_BYTES) cutShort++;
        content = appendContent(content, next);
        loads++;
      }
      // One slice had to stop short of a character that straddled its end, or this proves nothing.
      assert.equal(cutShort, 1);
      assert.equal(loads, 2);
      assert.ok(!text(content).includes("\uFFFD"));
      assert.equal(text(content), body);
      assert.equal(content.nextOffset, Buffer.byteLength(body));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("refuses a slice that does not continue the file, so a changed file never shows spliced text", () => {
    const content = startContent(slice({ kind: "text", offset: 0, content: "first", eof: false }));
    const gap = slice({ kind: "text", offset: 9, content: "later", eof: true });
    assert.throws(() => appendContent(content, gap), rejectedWith(ErrorCode.Internal));
    const nowBinary = slice({ kind: "binary", offset: 5, content: "", eof: true });
    assert.throws(() => appendContent(content, nowBinary), rejectedWith(ErrorCode.Internal));
  });

  it("refuses an empty slice that claims more follows, rather than asking forever", () => {
    const content = startContent(slice({ kind: "text", offset: 0, content: "abc", eof: false }));
    assert.throws(() => appendContent(content, slice({ kind: "text", offset: 3, content: "", eof: false })));
    assert.equal(appendContent(content, slice({ kind: "text", offset: 3, content: "", eof: true })).eof, true);
  });

  it("shows an image only once all of it has arrived", () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00]);
    const image = { kind: "image" as const, mime: "image/png", size: png.length };
    let content = startContent(slice({ ...image, offset: 0, content: png.subarray(0, 5).toString("base64url"), eof: false }));
    assert.equal(imageDataUrl(content), null);
    content = appendContent(content, slice({ ...image, offset: 5, content: png.subarray(5).toString("base64url"), eof: true }));
    assert.equal(imageDataUrl(content), `data:image/png;base64,${png.toString("base64")}`);
  });

  it("renders no oversized image, no disguised one and no binary file", () => {
    const big = startContent(
      slice({ kind: "image", mime: "image/png", size: MAX_IMAGE_BYTES + 1, offset: 0, content: "", eof: true }),
    );
    assert.equal(imageDataUrl(big), null);
    const html = startContent(slice({ kind: "image", mime: "text/html", size: 3, offset: 0, content: "AAAA", eof: true }));
    assert.equal(imageDataUrl(html), null);
    // A binary file is complete at once, with nothing to fetch or render.
    const content = startContent(slice({ kind: "binary", mime: "application/octet-stream", offset: 0, content: "", eof: false }));
    assert.equal(content.eof, true);
    assert.equal(imageDataUrl(content), null);
  });
});

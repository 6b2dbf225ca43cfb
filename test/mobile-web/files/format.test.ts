import assert from "node:assert/strict";
import type { DirEntry } from "#protocol";
import { humanSize, safeImageMime, sortEntries, textLines } from "../../../mobile-web/src/files/format";

const entry = (name: string, kind: DirEntry["kind"]): DirEntry => ({ name, kind, size: 0, mtime: 0 });

describe("file browser formatting", () => {
  it("lists folders first, then files, each in natural, case-blind order", () => {
    const listing = [
      entry("b.ts", "file"),
      entry("Zed", "dir"),
      entry("page10.md", "file"),
      entry("page9.md", "file"),
      entry("lib", "dir"),
      entry("Alpha", "symlink"),
      entry("fifo", "other"),
    ];
    assert.deepEqual(
      sortEntries(listing).map((e) => e.name),
      ["lib", "Zed", "Alpha", "b.ts", "fifo", "page9.md", "page10.md"],
    );
    // The listing the browser holds is left as it came.
    assert.equal(listing[0]?.name, "b.ts");
  });

  it("shows sizes the way file managers do: 1.2 KB, not 1234 B", () => {
    assert.equal(humanSize(0), "0 B");
    assert.equal(humanSize(980), "980 B");
    assert.equal(humanSize(1023), "1023 B");
    assert.equal(humanSize(1234), "1.2 KB");
    assert.equal(humanSize(12_595), "12.3 KB");
    assert.equal(humanSize(340 * 1024), "340 KB");
    assert.equal(humanSize(4.5 * 1024 * 1024), "4.5 MB");
    assert.equal(humanSize(3 * 1024 ** 3), "3.0 GB");
    assert.equal(humanSize(2048 * 1024 ** 4), "2048 TB");
    // At a unit's edge the rounded figure decides: never "1024 KB" or "100.0 KB".
    assert.equal(humanSize(1024 * 1024 - 1), "1.0 MB");
    assert.equal(humanSize(102_350), "100 KB");
    // Nothing at all rather than "NaN B" for a size the computer could not read.
    for (const size of [-1, Number.NaN, Number.POSITIVE_INFINITY]) assert.equal(humanSize(size), "");
  });

  it("numbers lines as editors do: a final newline ends the last line", () => {
    assert.deepEqual(textLines("a\nb\n", true), ["a", "b"]);
    assert.deepEqual(textLines("a\r\nb\r\n", true), ["a", "b"]);
    assert.deepEqual(textLines("a\n\nb", true), ["a", "", "b"]);
    assert.deepEqual(textLines("", true), [""]);
    // While more of the file is to come, the line after the newline is already started.
    assert.deepEqual(textLines("a\nb\n", false), ["a", "b", ""]);
  });

  it("lets only image types through to a data: URL", () => {
    assert.equal(safeImageMime("image/png"), "image/png");
    assert.equal(safeImageMime(" IMAGE/SVG+XML "), "image/svg+xml");
    for (const mime of ["text/html", "application/octet-stream", "image/png;base64,AAAA", 'image/png"><script>', "image/", ""]) {
      assert.equal(safeImageMime(mime), null, mime);
    }
  });
});

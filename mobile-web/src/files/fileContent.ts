// A file as it arrives in slices (at most MAX_READ_BYTES each): the first `read-file` answer
// starts it, each "Load more" appends the next slice.

import { ErrorCode, MAX_IMAGE_BYTES, TetherError, fromBase64Url, toBase64Url, type ReadFileResult } from "#protocol";
import { base64UrlToBase64, safeImageMime, utf8ByteLength } from "./format";

/** The host sends images up to this size whole, and larger ones without their bytes. */
export { MAX_IMAGE_BYTES };

interface Common {
  path: string;
  /** Whole file size in bytes. */
  size: number;
  /** When the file was last written, as the host saw it with the first slice. */
  mtime: number;
  mime: string;
  /** Byte offset of the next slice. */
  nextOffset: number;
  eof: boolean;
}

export type FileContent =
  (Common & { kind: "text"; text: string }) | (Common & { kind: "image"; chunks: Uint8Array[] }) | (Common & { kind: "binary" });

function sliceBytes(result: ReadFileResult): number {
  switch (result.kind) {
    case "text":
      return utf8ByteLength(result.content);
    case "image":
      return fromBase64Url(result.content).length;
    case "binary":
      return 0;
  }
}

export function startContent(result: ReadFileResult): FileContent {
  const common: Common = {
    path: result.path,
    size: result.size,
    mtime: result.mtime,
    mime: result.mime,
    nextOffset: result.offset + sliceBytes(result),
    eof: result.eof,
  };
  switch (result.kind) {
    case "text":
      return { ...common, kind: "text", text: result.content };
    case "image":
      return { ...common, kind: "image", chunks: [fromBase64Url(result.content)] };
    case "binary":
      return { ...common, kind: "binary", eof: true };
  }
}

/** Adds the next slice. A slice that does not continue where the last one ended is refused. */
export function appendContent(content: FileContent, result: ReadFileResult): FileContent {
  if (result.offset !== content.nextOffset || result.kind !== content.kind) {
    throw new TetherError(ErrorCode.Internal, "The file changed while it was being read. Open it again.");
  }
  const bytes = sliceBytes(result);
  // A slice that adds nothing yet claims more follows would have us ask forever.
  if (bytes === 0 && !result.eof) throw new TetherError(ErrorCode.Internal, "The computer sent an empty part of the file.");
  const nextOffset = result.offset + bytes;
  const common = { size: result.size, nextOffset, eof: result.eof };
  switch (content.kind) {
    case "text":
      return { ...content, ...common, text: content.text + result.content };
    case "image":
      return { ...content, ...common, chunks: [...content.chunks, fromBase64Url(result.content)] };
    case "binary":
      return content;
  }
}

/** A data: URL for a complete image, or null when it is incomplete or not a renderable type. */
export function imageDataUrl(content: FileContent): string | null {
  if (content.kind !== "image" || !content.eof || content.size > MAX_IMAGE_BYTES) return null;
  const mime = safeImageMime(content.mime);
  if (!mime) return null;
  const total = content.chunks.reduce((n, c) => n + c.length, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of content.chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return `data:${mime};base64,${base64UrlToBase64(toBase64Url(bytes))}`;
}

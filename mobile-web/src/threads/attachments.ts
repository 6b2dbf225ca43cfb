// Files picked on the phone, made ready to send with a task. Photos from a phone camera are
// several megabytes: they are scaled down (longest side 2000 px, JPEG) to fit the 1 MB limit;
// any other file over the limit is refused with a message saying so.

import { ErrorCode, MAX_ATTACHMENT_BYTES, TetherError } from "#protocol";
import { humanSize } from "../files/format";

export interface PreparedAttachment {
  name: string;
  type: string;
  bytes: Uint8Array;
}

const MAX_SIDE = 2000;
const QUALITIES = [0.85, 0.7, 0.5];

export async function prepareAttachment(file: File): Promise<PreparedAttachment> {
  const type = file.type || "application/octet-stream";
  if (file.size <= MAX_ATTACHMENT_BYTES) return { name: file.name, type, bytes: new Uint8Array(await file.arrayBuffer()) };
  if (!type.startsWith("image/") || type === "image/svg+xml" || type === "image/gif") {
    throw new TetherError(
      ErrorCode.TooLarge,
      `${file.name} is ${humanSize(file.size)}; attachments are limited to ${humanSize(MAX_ATTACHMENT_BYTES)}.`,
    );
  }
  const bitmap = await createImageBitmap(file).catch(() => {
    throw new TetherError(ErrorCode.BadRequest, `${file.name} could not be read as an image.`);
  });
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext("2d")!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
  for (const quality of QUALITIES) {
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
    if (blob && blob.size <= MAX_ATTACHMENT_BYTES)
      return { name, type: "image/jpeg", bytes: new Uint8Array(await blob.arrayBuffer()) };
  }
  throw new TetherError(ErrorCode.TooLarge, `${file.name} stays over ${humanSize(MAX_ATTACHMENT_BYTES)} even scaled down.`);
}

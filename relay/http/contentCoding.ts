// Which of a file's precompressed copies a request may have, from its Accept-Encoding
// (RFC 9110 §12.5.3): brotli before gzip before the file as it is, and nothing the client
// refused with q=0. Other weights do not reorder them: every browser that takes brotli weighs
// it as gzip, and brotli is the smaller.

export type Coding = "br" | "gzip";

/** The copies the build writes, best first, by the suffix they carry. */
export const CODINGS: readonly { coding: Coding; suffix: string }[] = [
  { coding: "br", suffix: ".br" },
  { coding: "gzip", suffix: ".gz" },
];

/** Each coding's weight as the client gave it; `*` stands for every coding it did not name. */
function weights(header: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of header.split(",")) {
    const [name, ...params] = item.split(";").map((part) => part.trim().toLowerCase());
    if (!name) continue;
    let q = 1;
    for (const param of params) {
      const match = /^q=([01](?:\.\d{0,3})?)$/.exec(param);
      if (match) q = Number(match[1]);
    }
    // x-gzip is gzip's old name (RFC 9110 §8.4.1.3).
    out.set(name === "x-gzip" ? "gzip" : name, q);
  }
  return out;
}

/** Codings the request accepts, best first. No header means the client takes only the file as it is. */
export function acceptedCodings(header: string | undefined): Coding[] {
  if (header === undefined) return [];
  const given = weights(header);
  const star = given.get("*");
  return CODINGS.map((c) => c.coding).filter((coding) => (given.get(coding) ?? star ?? 0) > 0);
}

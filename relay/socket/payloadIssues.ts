// Why a payload failed its schema, told without repeating what the sender wrote.

import type { SchemaError } from "#protocol";

/** A short, content-free description of why a payload failed its schema. */
export function describeIssues(error: SchemaError): string {
  return (
    error.issues
      .slice(0, 3)
      // Paths and messages name the schema's fields, never a received value; unexpected keys
      // are the sender's words, so they are counted, not named.
      .map((i) => {
        const at = i.path.length
          ? i.path.map((p) => (typeof p === "number" || /^[A-Za-z0-9_-]{1,40}$/.test(String(p)) ? p : "?")).join(".")
          : "payload";
        return `${at}: ${i.code === "unrecognized_keys" ? `${i.keys.length} unexpected field(s)` : i.message}`;
      })
      .join("; ")
  );
}

// Heap snapshots of a child process (started with --heapsnapshot-signal=SIGUSR2 and
// --diagnostic-dir), summed by kind of object, to see what each connection keeps alive.

import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "./stats";

/** Node options that make a process write a heap snapshot into `dir` on SIGUSR2. */
export const snapshotArgs = (dir: string): string[] => ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${dir}`];

/** Asks the process for a snapshot and resolves with its file once written whole. */
export async function takeSnapshot(pid: number, dir: string): Promise<string> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, "SIGUSR2");
  let last = -1;
  for (let waited = 0; waited < 120_000; waited += 500) {
    await sleep(500);
    process.kill(pid, 0); // throws once the process is gone
    const file = readdirSync(dir).find((f) => f.endsWith(".heapsnapshot") && !before.has(f));
    if (!file) continue;
    const size = statSync(join(dir, file)).size;
    if (size > 0 && size === last) return join(dir, file);
    last = size;
  }
  throw new Error("no heap snapshot");
}

/** Self sizes summed by V8 node type, and by constructor name for objects and closures. */
export function heapByKind(file: string): Map<string, number> {
  const snapshot = JSON.parse(readFileSync(file, "utf8")) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [type, name, size] = ["type", "name", "self_size"].map((f) => fields.indexOf(f)) as [number, number, number];
  const sums = new Map<string, number>();
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const kind = types[snapshot.nodes[i + type]!]!;
    const label = snapshot.strings[snapshot.nodes[i + name]!] || "(anonymous)";
    const key = kind === "object" || kind === "closure" ? `${kind} ${label}` : kind;
    sums.set(key, (sums.get(key) ?? 0) + snapshot.nodes[i + size]!);
  }
  return sums;
}

/** What `after` holds beyond `before`, per connection, largest first. */
export function perConnection(before: Map<string, number>, after: Map<string, number>, connections: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, bytes] of after) out.set(key, (bytes - (before.get(key) ?? 0)) / connections);
  return new Map([...out].sort((a, b) => b[1] - a[1]));
}

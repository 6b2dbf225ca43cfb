// Where the time went: the functions with the most self time in a V8 CPU profile (Chromium's
// through DevTools, Node's from --cpu-prof), for the notes that explain a missed goal.

import { Session } from "node:inspector/promises";
import type { Page } from "playwright-core";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** V8's pseudo-functions, named for a reader. */
const RENAMED: Record<string, string> = {
  "(program)": "(native work outside JavaScript: in a browser, style, layout and DOM)",
  "(idle)": "(idle: waiting on I/O or other threads)",
};

/** The top `n` functions by self time, as "42% name (file)", idle and GC counted like any other. */
export function topFunctions(profile: CpuProfile, n = 5): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    if (!frame) return;
    const file = frame.url.split("/").pop()?.split("?")[0] ?? "";
    const name = RENAMED[frame.functionName] ?? (frame.functionName || "(anonymous)");
    const key = `${name}${file ? ` (${file})` : ""}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, t]) => `${Math.round((t / total) * 100)}% ${name}`);
}

/** Profiles the page's main thread while `during` runs. */
export async function profilePage<T>(page: Page, during: () => Promise<T>): Promise<{ result: T; profile: CpuProfile }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.start");
  try {
    const result = await during();
    const { profile } = await cdp.send("Profiler.stop");
    return { result, profile: profile as unknown as CpuProfile };
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/** Profiles this process while `during` runs (the V8 inspector, in process). */
export async function profileHere<T>(during: () => Promise<T>): Promise<{ result: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.start");
    const result = await during();
    const { profile } = await session.post("Profiler.stop");
    return { result, profile: profile as unknown as CpuProfile };
  } finally {
    session.disconnect();
  }
}

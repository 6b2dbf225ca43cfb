// Command lines for the shell oracle: the constructs GATE-SPEC item 3 lists and the known ways
// past a shell analyser, each combined with harmless and sensitive programs, write targets and
// disguised program names. A seeded generator, so a failing line comes back on the next run.

import { FAMILIES, HARMLESS, SENSITIVE, SEPARATORS, TARGETS } from "./commandLineFamilies";
import { POLICY_CASES } from "../extension/agent/policyCases";

/** A line and the construct it exercises, to count disagreements by what a fix would touch. */
export interface OracleLine {
  line: string;
  family: string;
}

/** Ways to write a program's name that a shell reads as the same name. */
const DISGUISES: ((name: string) => string)[] = [
  (name) => name,
  (name) => name,
  (name) => name,
  (name) => (name.startsWith("/") ? name : `/usr/bin/${name}`),
  (name) => `\\${name}`,
  (name) => `'${name}'`,
  (name) => `"${name}"`,
  (name) => `${name.slice(0, 1)}''${name.slice(1)}`,
  (name) => `${name.slice(0, 1)}\\${name.slice(1)}`,
];

/** A small seeded generator (mulberry32): the same seed gives the same lines on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct lines (fewer if the families cannot make that many), the same for the same seed. */
export function generateLines(count: number, seed: number): OracleLine[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const families = Object.keys(FAMILIES);
  const disguise = (command: string) => {
    const space = command.indexOf(" ");
    const name = space < 0 ? command : command.slice(0, space);
    return pick(DISGUISES)(name) + (space < 0 ? "" : command.slice(space));
  };
  const one = (): OracleLine => {
    const family = pick(families);
    const line = pick(FAMILIES[family] ?? [])
      .replaceAll("{S}", () => disguise(pick(SENSITIVE)))
      .replaceAll("{A}", () => disguise(pick(HARMLESS)))
      .replaceAll("{W}", () => pick(TARGETS));
    return { line, family };
  };
  const seen = new Map<string, OracleLine>();
  for (let tries = 0; seen.size < count && tries < count * 20; tries++) {
    let next = one();
    if (random() < 0.2) {
      const second = one();
      next = { line: next.line + pick(SEPARATORS) + second.line, family: next.family };
    }
    if (!seen.has(next.line)) seen.set(next.line, next);
  }
  return [...seen.values()];
}

/** Every template once with its first fillers, so each construct is run whatever the seed picks. */
export function everyTemplate(): OracleLine[] {
  return Object.entries(FAMILIES).flatMap(([family, templates]) =>
    templates.map((template) => ({
      family,
      line: template
        .replaceAll("{S}", SENSITIVE[0] ?? "")
        .replaceAll("{A}", HARMLESS[0] ?? "")
        .replaceAll("{W}", TARGETS[0] ?? ""),
    })),
  );
}

/**
 * The policy table's lines (test/extension/agent/policyCases.ts), but those written for Windows
 * hosts and those holding NUL, which no program's argument can carry (the gate asks about them).
 */
export function tableLines(): OracleLine[] {
  return POLICY_CASES.filter((row) => row.platform !== "win32" && !row.line.includes("\0")).map((row) => ({
    line: row.line,
    family: "policy table",
  }));
}

// What a process costs, read from Linux's /proc: resident memory and CPU time. The relay runs
// as its own process in the scenarios that measure it, so these are the operator's numbers.

import { readFileSync } from "node:fs";

/** Resident set size in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb[1]) * 1024;
}

/** User + system CPU time of a process so far, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticksPerSecond = 100; // USER_HZ on Linux
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** Measures how many cores a process used between `start()` and `stop()`. */
export function cpuMeter(pid: number): { stop(): { cores: number; seconds: number } } {
  const cpu0 = cpuSeconds(pid);
  const t0 = process.hrtime.bigint();
  return {
    stop() {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const used = cpuSeconds(pid) - cpu0;
      return { cores: used / seconds, seconds };
    },
  };
}

/** Samples a process's CPU use every `everyMs`, for the busiest moment of a window. */
export function cpuSampler(pid: number, everyMs = 100): { stop(): { mean: number; peak: number } } {
  let last = cpuSeconds(pid);
  let lastAt = process.hrtime.bigint();
  const first = { cpu: last, at: lastAt };
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const at = process.hrtime.bigint();
      // CPU time moves in 10 ms ticks: a window much shorter than asked for (two late timers
      // back to back) would turn one tick into cores the process never used. It grows instead.
      if (Number(at - lastAt) / 1e6 < everyMs * 0.9) return;
      const cpu = cpuSeconds(pid);
      peak = Math.max(peak, (cpu - last) / (Number(at - lastAt) / 1e9));
      last = cpu;
      lastAt = at;
    } catch {
      // the process ended; the window closes with what was seen
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      let mean = 0;
      try {
        mean = (cpuSeconds(pid) - first.cpu) / (Number(process.hrtime.bigint() - first.at) / 1e9);
      } catch {
        mean = NaN;
      }
      // A window shorter than one sample has only its mean.
      return { mean, peak: Math.max(peak, mean) };
    },
  };
}

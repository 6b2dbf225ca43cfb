// What a thread screen says while its computer is offline: the relay only knows when the
// computer was last there, so a run that was going may have stopped since, or may still be
// going and simply not heard from.

const DAY = 24 * 60 * 60_000;

/** "20:27", or "3 May 20:27" when that is more than a day ago; local time. */
export function clockTime(at: number, now: number): string {
  const d = new Date(at);
  const time = `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
  if (now - at < DAY) return time;
  return `${d.getDate()} ${d.toLocaleString("en", { month: "short" })} ${time}`;
}

/** The line under the title of a thread whose computer is offline; `running` when its run had not ended. */
export function offlineNote(since: number, now: number, running: boolean): string {
  const head = `Computer offline since ${clockTime(since, now)}`;
  return running ? `${head}; this run may have stopped.` : `${head}.`;
}

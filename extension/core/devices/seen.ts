// "online", "seen 5 min ago": a paired phone's presence in the words the editor's Devices view
// and the headless host's `phones` command show. Coarse on purpose, like the phone's own.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function seenText(phone: { online: boolean; lastSeen: number }, now: number): string {
  if (phone.online) return "online";
  if (phone.lastSeen <= 0) return "last seen unknown";
  const elapsed = Math.max(0, now - phone.lastSeen);
  if (elapsed < MINUTE) return "seen just now";
  if (elapsed < HOUR) return `seen ${Math.floor(elapsed / MINUTE)} min ago`;
  if (elapsed < DAY) return `seen ${Math.floor(elapsed / HOUR)} h ago`;
  const days = Math.floor(elapsed / DAY);
  if (days === 1) return "seen yesterday";
  if (days < 30) return `seen ${days} days ago`;
  return `seen on ${new Date(phone.lastSeen).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" })}`;
}

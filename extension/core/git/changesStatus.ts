/** One entry of `git status --porcelain=v2 -z`. Codes are git's: "." unchanged, M, A, D, R, C, T, U, "?". */
export interface StatusEntry {
  type: "ordinary" | "renamed" | "unmerged" | "untracked";
  index: string;
  worktree: string;
  path: string;
  origPath?: string;
}

/** The `# branch.*` headers, present when status ran with --branch. */
export interface BranchHeaders {
  oid?: string;
  head?: string;
  upstream?: string;
  ahead?: number;
  behind?: number;
}

/** Parses porcelain v2 with -z: records end in NUL, and a rename's original path is the next record. */
export function parseStatus(output: string): { entries: StatusEntry[]; branch: BranchHeaders } {
  const records = output.split("\0");
  const entries: StatusEntry[] = [];
  const branch: BranchHeaders = {};
  for (let i = 0; i < records.length; i++) {
    const record = records[i] ?? "";
    if (record === "") continue;
    const kind = record[0];
    if (kind === "#") {
      readHeader(record, branch);
    } else if (kind === "?") {
      entries.push({ type: "untracked", index: "?", worktree: "?", path: record.slice(2) });
    } else if (kind === "1") {
      // 1 XY sub mH mI mW hH hI path
      const path = fieldsAfter(record, 8);
      entries.push({ type: "ordinary", index: record[2] ?? ".", worktree: record[3] ?? ".", path });
    } else if (kind === "2") {
      // 2 XY sub mH mI mW hH hI Xscore path NUL origPath
      const path = fieldsAfter(record, 9);
      const origPath = records[++i] ?? "";
      entries.push({ type: "renamed", index: record[2] ?? ".", worktree: record[3] ?? ".", path, origPath });
    } else if (kind === "u") {
      // u XY sub m1 m2 m3 mW h1 h2 h3 path
      const path = fieldsAfter(record, 10);
      entries.push({ type: "unmerged", index: record[2] ?? "U", worktree: record[3] ?? "U", path });
    }
    // "!" (ignored) entries are not asked for and not shown.
  }
  return { entries, branch };
}

/** The rest of the record after `count` space-separated fields: paths may themselves hold spaces. */
function fieldsAfter(record: string, count: number): string {
  let at = 0;
  for (let n = 0; n < count; n++) at = record.indexOf(" ", at) + 1;
  return record.slice(at);
}

function readHeader(record: string, branch: BranchHeaders): void {
  const [key, ...rest] = record.slice(2).split(" ");
  const value = rest.join(" ");
  if (key === "branch.oid") branch.oid = value;
  else if (key === "branch.head") branch.head = value;
  else if (key === "branch.upstream") branch.upstream = value;
  else if (key === "branch.ab") {
    const match = /^\+(\d+) -(\d+)$/.exec(value);
    if (match) {
      branch.ahead = Number(match[1]);
      branch.behind = Number(match[2]);
    }
  }
}

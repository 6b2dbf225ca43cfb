// Branch names for task worktrees: `tether/<short-title-slug>`, readable in a PR list and
// safe everywhere a branch name travels (URLs, shells, other people's clones), so the slug
// keeps to ASCII letters, digits and hyphens whatever language the title is in.

export const BRANCH_PREFIX = "tether/";
const MAX_SLUG = 40;

/** "Fix the café login bug!" → "fix-the-cafe-login-bug"; a title with no latin letters → "task". */
export function slugFromTitle(title: string): string {
  const ascii = title
    .normalize("NFKD")
    .replace(/\p{M}/gu, "") // accents split off by NFKD
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (ascii.length <= MAX_SLUG) return ascii || "task";
  // Cut at a word boundary when there is one near the end, so no word is left half-shown.
  const cut = ascii.slice(0, MAX_SLUG);
  const lastHyphen = cut.lastIndexOf("-");
  return (lastHyphen >= MAX_SLUG / 2 ? cut.slice(0, lastHyphen) : cut).replace(/-+$/, "");
}

/**
 * The first of `tether/<slug>`, `tether/<slug>-2`, `-3`, … for which `taken` answers false.
 * Numbers rather than random suffixes, so the person can tell two tasks of the same title apart.
 */
export async function uniqueBranchName(title: string, taken: (name: string) => Promise<boolean>): Promise<string> {
  const base = BRANCH_PREFIX + slugFromTitle(title);
  if (!(await taken(base))) return base;
  for (let n = 2; n < 1000; n++) {
    const candidate = `${base}-${n}`;
    if (!(await taken(candidate))) return candidate;
  }
  throw new Error(`no free branch name for ${base}`);
}

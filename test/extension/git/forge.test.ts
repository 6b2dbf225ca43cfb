import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { compareLink, createPullRequest, prChecks } from "../../../extension/core/git/forge";
import { isolateGit, makeRepo, sh, type Fixture } from "./shipRepo";

describe("forge compare links", () => {
  const cases: [string, string][] = [
    ["https://github.com/ada/tether.git", "https://github.com/ada/tether/compare/main...tether/fix-it?expand=1"],
    ["https://ada:secret@github.com/ada/tether", "https://github.com/ada/tether/compare/main...tether/fix-it?expand=1"],
    ["git@github.com:ada/tether.git", "https://github.com/ada/tether/compare/main...tether/fix-it?expand=1"],
    ["ssh://git@github.com/ada/tether.git", "https://github.com/ada/tether/compare/main...tether/fix-it?expand=1"],
    ["https://gitlab.com/group/sub/tether.git", "https://gitlab.com/group/sub/tether/-/compare/main...tether/fix-it"],
    ["git@gitlab.com:group/tether.git", "https://gitlab.com/group/tether/-/compare/main...tether/fix-it"],
    [
      "ssh://git@gitlab.example.com:2222/team/tether.git",
      "https://gitlab.example.com/team/tether/-/compare/main...tether/fix-it",
    ],
    [
      "https://git.example.com:8443/team/platform/tether.git",
      "https://git.example.com:8443/team/platform/tether/-/compare/main...tether/fix-it",
    ],
    ["https://bitbucket.org/ada/tether.git", "https://bitbucket.org/ada/tether/branches/compare/tether/fix-it%0Dmain#diff"],
    ["git@bitbucket.org:ada/tether.git", "https://bitbucket.org/ada/tether/branches/compare/tether/fix-it%0Dmain#diff"],
    ["ssh://git@bitbucket.org/ada/tether.git", "https://bitbucket.org/ada/tether/branches/compare/tether/fix-it%0Dmain#diff"],
    ["http://gitea.lan:3000/ada/tether.git", "http://gitea.lan:3000/ada/tether/compare/main...tether/fix-it"],
    ["https://codeberg.org/ada/tether.git", "https://codeberg.org/ada/tether/compare/main...tether/fix-it"],
    ["git@gitea.example.org:ada/tether.git", "https://gitea.example.org/ada/tether/compare/main...tether/fix-it"],
    ["ssh://git@gitea.com:22/ada/tether.git", "https://gitea.com/ada/tether/compare/main...tether/fix-it"],
  ];
  for (const [remote, link] of cases) {
    it(`links ${remote}`, () => assert.equal(compareLink(remote, "main", "tether/fix-it"), link));
  }

  it("escapes what a branch name may hold besides slashes", () => {
    assert.equal(
      compareLink("git@github.com:ada/tether.git", "main", "tether/50%#done"),
      "https://github.com/ada/tether/compare/main...tether/50%25%23done?expand=1",
    );
  });

  it("gives nothing for a host it cannot place or a URL that is no remote", () => {
    assert.equal(compareLink("https://git.example.com/ada/tether.git", "main", "x"), undefined);
    assert.equal(compareLink("/srv/git/tether.git", "main", "x"), undefined);
    assert.equal(compareLink("file:///srv/git/ada/tether.git", "main", "x"), undefined);
    assert.equal(compareLink("https://github.com/tether", "main", "x"), undefined);
    assert.equal(
      compareLink("https://git.example.com/ada/tether.git", "main", "x", "gitea"),
      "https://git.example.com/ada/tether/compare/main...x",
    );
  });
});

/** A stand-in for the GitHub CLI: records its argv (NUL-separated) and answers as the real one does. */
function standInGh(dir: string): { log: string; loggedOut: string } {
  mkdirSync(dir, { recursive: true });
  const log = join(dir, "gh-args");
  const loggedOut = join(dir, "logged-out");
  const script = `#!/bin/sh
printf '%s\\0' "$@" >> '${log}'
printf '\\n' >> '${log}'
case "$1 $2" in
  "auth status")
    if [ -e '${loggedOut}' ]; then
      echo "You are not logged into any GitHub hosts. To log in, run: gh auth login" >&2; exit 1
    fi
    echo "github.com"; echo "  ✓ Logged in to github.com account ada (keyring)"; exit 0 ;;
  "pr create")
    printf '\\nCreating pull request in ada/tether\\n\\n' >&2
    echo "https://github.com/ada/tether/pull/7"; exit 0 ;;
  "pr checks")
    echo '[{"name":"build","state":"SUCCESS","bucket":"pass","link":"https://github.com/ada/tether/actions/runs/1"},{"name":"test","state":"IN_PROGRESS","bucket":"pending","link":""},{"name":"lint","state":"FAILURE","bucket":"fail","link":""}]'
    exit 8 ;;
esac
echo "unknown command" >&2; exit 1
`;
  writeFileSync(join(dir, "gh"), script);
  chmodSync(join(dir, "gh"), 0o755);
  return { log, loggedOut };
}

function calls(log: string): string[][] {
  return readFileSync(log, "utf8")
    .split("\0\n")
    .filter((line) => line !== "")
    .map((line) => line.split("\0"));
}

describe("pull requests through the GitHub CLI", () => {
  let restore: () => void;
  let fx: Fixture;
  let savedPath: string | undefined;
  const draft = { title: "Fix the thing", body: "Why:\n- it broke\n\n`--draft` stays text", base: "main", head: "tether/fix" };
  before(() => (restore = isolateGit()));
  after(() => restore());
  beforeEach(() => {
    fx = makeRepo();
    sh(fx.repo, "remote", "add", "origin", "git@github.com:ada/tether.git");
    savedPath = process.env.PATH;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    fx.cleanup();
  });

  it("creates the PR with gh found first on PATH and returns its URL", async () => {
    const bin = join(fx.root, "bin");
    const gh = standInGh(bin);
    process.env.PATH = `${bin}${delimiter}${savedPath ?? ""}`;
    const result = await createPullRequest(fx.repo, draft);
    assert.deepEqual(result, { ok: true, url: "https://github.com/ada/tether/pull/7" });
    assert.deepEqual(calls(gh.log), [
      ["auth", "status"],
      ["pr", "create", `--title=${draft.title}`, `--body=${draft.body}`, "--base=main", "--head=tether/fix"],
    ]);
  });

  it("reads the checks' status, pending and failed ones included", async () => {
    const bin = join(fx.root, "bin");
    const gh = standInGh(bin);
    const result = await prChecks(fx.repo, "https://github.com/ada/tether/pull/7", { ghPath: join(bin, "gh") });
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual([result.passed, result.pending, result.failed], [1, 1, 1]);
    assert.equal(result.checks[0]?.link, "https://github.com/ada/tether/actions/runs/1");
    assert.equal(result.checks[1]?.link, undefined);
    assert.deepEqual(calls(gh.log)[1], [
      "pr",
      "checks",
      "https://github.com/ada/tether/pull/7",
      "--json",
      "name,state,bucket,link",
    ]);
  });

  it("refuses to pass gh anything but a pull request link", async () => {
    const bin = join(fx.root, "bin");
    const gh = standInGh(bin);
    const result = await prChecks(fx.repo, "--repo=evil/x", { ghPath: join(bin, "gh") });
    assert.equal(result.ok ? "ok" : result.code, "gh-failed");
    assert.throws(() => readFileSync(gh.log));
  });

  it("stops waiting for a gh that does not answer", async () => {
    const bin = join(fx.root, "bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "gh"), "#!/bin/sh\nexec sleep 30\n");
    chmodSync(join(bin, "gh"), 0o755);
    const started = Date.now();
    const result = await createPullRequest(fx.repo, draft, { ghPath: join(bin, "gh"), timeoutMs: 300 });
    assert.ok(Date.now() - started < 5000);
    assert.equal(result.ok ? "ok" : result.code, "gh-failed");
    assert.match(result.ok ? "" : result.message, /did not answer within 300 ms/);
    assert.equal(result.ok ? "" : result.compareLink, "https://github.com/ada/tether/compare/main...tether/fix?expand=1");
  });

  it("falls back to the compare link when gh is logged out", async () => {
    const bin = join(fx.root, "bin");
    const gh = standInGh(bin);
    writeFileSync(gh.loggedOut, "");
    const result = await createPullRequest(fx.repo, draft, { ghPath: join(bin, "gh") });
    assert.equal(result.ok ? "ok" : result.code, "gh-not-logged-in");
    assert.match(result.ok ? "" : result.message, /gh auth login/);
    assert.equal(result.ok ? "" : result.compareLink, "https://github.com/ada/tether/compare/main...tether/fix?expand=1");
    assert.equal(calls(gh.log).length, 1);
  });

  it("falls back to the compare link when gh is not installed", async () => {
    // A PATH that holds git and nothing else, so no gh on this machine can be found.
    const only = join(fx.root, "only-git");
    mkdirSync(only);
    symlinkSync(execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim(), join(only, "git"));
    process.env.PATH = only;
    sh(fx.repo, "config", "branch.tether/fix.remote", "origin");
    const result = await createPullRequest(fx.repo, draft);
    assert.deepEqual(result, {
      ok: false,
      code: "gh-missing",
      message: "gh not available: the GitHub CLI is not installed on this computer.",
      compareLink: "https://github.com/ada/tether/compare/main...tether/fix?expand=1",
    });
    const checks = await prChecks(fx.repo, "https://github.com/ada/tether/pull/7");
    assert.equal(checks.ok ? "ok" : checks.code, "gh-missing");
    assert.match(checks.ok ? "" : checks.message, /^gh not available/);
  });
});

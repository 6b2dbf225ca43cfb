// Secret scanning before a commit from the phone, on real repositories through the real git
// service: each planted kind of secret in what is staged refuses the commit with the findings
// redacted, until the command says the person saw them and chose to commit anyway; a secret the
// repository already had, or one only in an unstaged change, does not count.

import assert from "node:assert/strict";
import type { GitService } from "../../../extension/core/git/gitService";
import { gitFixture, type GitFixture } from "../git/gitFixture";
import { makeService, phone, scriptedModel, settled, type TestThreads } from "../git/gitServiceHarness";
import { isolateGit } from "../git/shipRepo";
import { GITHUB_TOKEN, PLANTED } from "../../support/plantedSecrets";

const OP = (n: number) => `op-${String(n).padStart(6, "0")}`;

describe("secret scanning: a commit from the phone (real git)", () => {
  let fx: GitFixture;
  let restore: () => void;
  let service: GitService;
  let threads: TestThreads;
  let ops = 0;

  beforeEach(async () => {
    restore = isolateGit();
    fx = gitFixture({ "README.md": "hello\n", "src/app.ts": "export const a = 1;\n" });
    ({ service, threads } = await makeService(fx.workspace, fx.stateDir));
  });
  afterEach(() => {
    fx.dispose();
    restore();
  });

  const head = (): string => fx.git(fx.workspace, "rev-parse", "HEAD").trim();
  const commit = async (message: string, secretsSeen?: number) => {
    await service.handle(
      { type: "git-commit", opId: OP(++ops), message, ...(secretsSeen !== undefined ? { secretsSeen } : {}) },
      phone,
    );
    return (await settled(service)).op!;
  };

  for (const planted of PLANTED) {
    it(`refuses to commit ${planted.name} with the finding redacted, and commits once it is confirmed`, async () => {
      const before = head();
      fx.write(fx.workspace, "src/app.ts", "export const a = 2;\n");
      fx.write(fx.workspace, planted.path, `# added\n${planted.text}`);
      fx.git(fx.workspace, "add", "-A");
      const refused = await commit("Add config");
      assert.equal(refused.state, "failed");
      assert.equal(refused.code, "secrets");
      assert.equal(head(), before, "nothing was committed");
      // The file's own line: the planted text starts on line 2 of the file now.
      assert.ok(refused.files?.includes(`${planted.path}:${planted.line + 1}`), JSON.stringify(refused.files));
      assert.match(refused.message ?? "", /^Secret scan: what this commit adds holds \d possible secrets?:\n- /);
      assert.match(refused.message ?? "", new RegExp(`in ${planted.path} line ${planted.line + 1}: `));
      assert.ok(!(refused.message ?? "").includes(planted.hidden), "the refusal shows the secret");

      // A confirmation of another count is not this one: what was staged may have changed.
      const wrong = await commit("Add config", refused.files!.length + 1);
      assert.equal(wrong.code, "secrets");
      assert.match(wrong.message ?? "", /^What is staged changed since you confirmed/);
      assert.equal(head(), before);

      const done = await commit("Add config", refused.files!.length);
      assert.equal(done.state, "done", done.message);
      assert.notEqual(head(), before);
      assert.equal(fx.git(fx.workspace, "show", `HEAD:${planted.path}`), `# added\n${planted.text}`);
    });
  }

  it("commits clean changes, and an edit beside a key the repository already had, without asking", async () => {
    fx.write(fx.workspace, "src/deploy.ts", `export const token = "${GITHUB_TOKEN}";\n`);
    fx.git(fx.workspace, "add", "-A");
    assert.equal((await commit("Deploy", 1)).state, "done");
    fx.write(fx.workspace, "src/deploy.ts", `// the deploy token\nexport const token = "${GITHUB_TOKEN}";\n`);
    fx.write(fx.workspace, "src/app.ts", "export const a = 3;\n");
    fx.git(fx.workspace, "add", "-A");
    const op = await commit("Comment");
    assert.equal(op.state, "done", op.message);
  });

  it("sends the model drafting the message the staged diff with each planted secret redacted", async () => {
    const model = scriptedModel("Add the deploy config");
    threads.model = model;
    for (const p of PLANTED) fx.write(fx.workspace, p.path, p.text);
    fx.git(fx.workspace, "add", "-A");
    const draft = await service.draft("commit");
    assert.equal(draft.title, "Add the deploy config");
    const prompt = JSON.stringify(model.requests.map((r) => r.messages));
    for (const p of PLANTED) assert.ok(!prompt.includes(p.hidden), `${p.name} reached the model`);
    assert.match(prompt, /\[secret redacted: GitHub token\]/);
  });

  it("scans a secret file that is staged too, without naming it to the phone", async () => {
    fx.write(fx.workspace, ".env", `GITHUB_TOKEN=${GITHUB_TOKEN}\n`);
    fx.git(fx.workspace, "add", "-f", ".env");
    const refused = await commit("Add env");
    assert.equal(refused.code, "secrets");
    assert.deepEqual(refused.files, ["a secret file:1"]);
    assert.doesNotMatch(refused.message ?? "", /\.env/);
  });

  it("scans what is staged, not what is only in the working tree", async () => {
    fx.write(fx.workspace, "src/app.ts", "export const a = 4;\n");
    fx.git(fx.workspace, "add", "src/app.ts");
    fx.write(fx.workspace, "src/deploy.ts", `export const token = "${GITHUB_TOKEN}";\n`);
    const op = await commit("Bump a");
    assert.equal(op.state, "done", op.message);
    assert.equal(fx.git(fx.workspace, "show", "--name-only", "--format=", "HEAD").trim(), "src/app.ts");
  });
});

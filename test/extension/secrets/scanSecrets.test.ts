// The scanner on its own: each planted kind of secret is found where it is and said without the
// secret, clean code is not flagged, binary and oversized text are noted, and a 100 KB file is cheap.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { MAX_SCAN_CHARS, scanSecrets } from "../../../extension/core/secrets/scanSecrets";
import { findingLines, newFindings, redact } from "../../../extension/core/secrets/secretFindings";
import { AWS_KEY_ID, AWS_SECRET, GITHUB_TOKEN, PLANTED, PRIVATE_KEY, awsConfig } from "../../support/plantedSecrets";

describe("secret scanning: the scanner", () => {
  for (const planted of PLANTED) {
    it(`finds ${planted.name} on its line, and never repeats the secret`, async () => {
      const scan = await scanSecrets(planted.text, planted.path);
      assert.ok(scan.findings.length >= 1, `no finding in ${planted.text}`);
      const finding = scan.findings.find((f) => f.line === planted.line);
      assert.ok(finding, `nothing on line ${planted.line}: ${JSON.stringify(scan.findings)}`);
      // The finding's place covers the secret itself, so redacting it removes it.
      assert.equal(planted.text.slice(finding.start, finding.end), planted.secret);
      const said = JSON.stringify(scan.findings.map(({ rule, kind, line, excerpt }) => ({ rule, kind, line, excerpt })));
      for (const secret of [AWS_SECRET, AWS_KEY_ID, GITHUB_TOKEN, PRIVATE_KEY.split("\n")[1]!]) {
        assert.ok(!said.includes(secret.slice(5)), `a finding repeats the secret: ${said}`);
      }
    });
  }

  it("says what it found in words a person reads", async () => {
    const kinds = [];
    for (const planted of PLANTED) kinds.push(...(await scanSecrets(planted.text, planted.path)).findings.map((f) => f.kind));
    assert.deepEqual(kinds.sort(), ["AWS access key ID", "AWS secret access key", "GitHub token", "private key"]);
    const [token] = (await scanSecrets(PLANTED[1].text, "a.ts")).findings;
    assert.equal(token!.excerpt, "ghp_…, 40 characters");
    const [key] = (await scanSecrets(PRIVATE_KEY, "k")).findings;
    assert.match(key!.excerpt, /^-----BEGIN RSA PRIVATE KEY-----, \d+ characters$/);
  });

  it("flags nothing in the project's own source, and the documentation's example keys", async () => {
    const source = readFileSync("extension/core/threads/agentRun.ts", "utf8");
    assert.deepEqual((await scanSecrets(source, "extension/core/threads/agentRun.ts")).findings, []);
    const docs = "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
    assert.deepEqual((await scanSecrets(docs, "README.md")).findings, []);
  });

  it("is not talked out of a finding by a secretlint-disable comment the agent wrote", async () => {
    const text = `// secretlint-disable-next-line\nconst token = "${GITHUB_TOKEN}"; // secretlint-disable-line\n`;
    assert.equal((await scanSecrets(text, "a.ts")).findings.length, 1);
  });

  it("skips binary content and says how much of an oversized text it scanned", async () => {
    const binary = await scanSecrets(`\0\0${GITHUB_TOKEN}`, "a.bin");
    assert.deepEqual(binary.findings, []);
    assert.match(binary.note ?? "", /binary/);
    const big = `${"x".repeat(MAX_SCAN_CHARS)}\n${GITHUB_TOKEN}\n`;
    const cut = await scanSecrets(`${GITHUB_TOKEN}\n${big}`, "a.txt");
    assert.equal(cut.findings.length, 1, "the part within the cap is scanned");
    assert.match(cut.note ?? "", /only the first 1(\.0)? MB of 1,048,6\d\d characters were scanned/);
  });
});

describe("secret scanning: findings", () => {
  it("redacts every finding, the AWS pair included, and leaves the rest of the text as it was", async () => {
    const text = `${awsConfig()}token = "${GITHUB_TOKEN}"\n`;
    const { findings } = await scanSecrets(text, "config.ini");
    assert.equal(findings.length, 3);
    assert.equal(
      redact(text, findings),
      "[default]\naws_access_key_id = [secret redacted: AWS access key ID]\n" +
        "aws_secret_access_key = [secret redacted: AWS secret access key]\nregion = eu-west-1\n" +
        'token = "[secret redacted: GitHub token]"\n',
    );
  });

  it("counts only the secrets an edit adds, not those the file already had", async () => {
    const before = `token = "${GITHUB_TOKEN}"\n`;
    const after = `${before}${awsConfig()}`;
    const { findings } = await scanSecrets(after, "config.ini");
    assert.deepEqual(
      newFindings(findings, after, before).map((f) => f.kind),
      ["AWS access key ID", "AWS secret access key"],
    );
    assert.equal(newFindings(findings, after, null).length, 3);
  });

  it("lists five findings and counts the rest", async () => {
    const text = Array.from({ length: 7 }, () => `t = "${GITHUB_TOKEN}"`).join("\n");
    const { findings } = await scanSecrets(text, "many.ts");
    const lines = findingLines(findings.map((finding) => ({ finding, where: "many.ts" }))).split("\n");
    assert.equal(lines.length, 6);
    assert.equal(lines[0], "- GitHub token in many.ts line 1: ghp_…, 40 characters");
    assert.equal(lines[5], "- and 2 more");
  });
});

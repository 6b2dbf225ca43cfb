// Looks for keys, tokens and private keys in text with secretlint's recommended rules, the rule
// set its maintainers keep up with each provider's formats. A finding says what and where, never
// the secret: the kind, the line, and a redacted excerpt a person can recognise it by.

import { lintSource } from "@secretlint/core";
import { rules as recommended } from "@secretlint/secretlint-rule-preset-recommend";
import { formatBytes, formatCount } from "../agent/tools/format";

/**
 * Text past this is not scanned (the note says so). A 100 KB file scans in a few milliseconds,
 * 1 MB in about 50: every write can afford it, a generated bundle or a data dump need not wait.
 */
export const MAX_SCAN_CHARS = 1024 * 1024;

export interface SecretFinding {
  /** secretlint's rule id, e.g. `@secretlint/secretlint-rule-github`. */
  rule: string;
  /** What was found, in words: "GitHub token", "AWS secret access key", "private key". */
  kind: string;
  /** 1-based line of the text where it starts. */
  line: number;
  /** Enough to recognise it, never enough to use it: `ghp_…, 40 characters`. */
  excerpt: string;
  /** Where it is in the text, to redact it or compare it; an offset, not the secret. */
  start: number;
  end: number;
}

export interface SecretScan {
  findings: SecretFinding[];
  /** Why part or all of the text was not scanned (binary, too large). */
  note?: string;
}

const AWS = "@secretlint/secretlint-rule-aws";
/**
 * The rule that obeys `secretlint-disable` comments: comments are the author's, and here the
 * author may be the agent being checked.
 */
const COMMENTS = "@secretlint/secretlint-rule-filter-comments";

/** secretlint's configuration type, taken from the function (its types package is not a dependency of ours). */
type SecretLintCoreConfig = Parameters<typeof lintSource>[0]["options"]["config"];

// The preset's rules one by one (not the preset), so that one of them can be left out: a
// preset's `disabled` entries are not honoured by secretlint's core (10.2.2).
const CONFIG: SecretLintCoreConfig = {
  rules: recommended
    .filter((rule) => rule.meta.id !== COMMENTS)
    .map((rule) => ({
      id: rule.meta.id,
      rule,
      // An access key ID (AKIA…) is half of a credential and the half people recognise; off by default.
      ...(rule.meta.id === AWS ? { options: { enableIDScanRule: true } } : {}),
    })),
};

/** Words for each message secretlint's rules report, where the rule's name alone says too little. */
const KINDS: Record<string, string> = {
  AWSAccessKeyID: "AWS access key ID",
  AWSSecretAccessKey: "AWS secret access key",
  AWSAccountID: "AWS account ID",
  PrivateKey: "private key",
  PrivateKeyJSON: "private key",
  BasicAuth: "password in a URL",
  IncomingWebhook: "Slack webhook",
};

/** Words for the rest, by rule. */
const NAMES: Record<string, string> = {
  github: "GitHub token",
  gcp: "Google Cloud key",
  npm: "npm token",
  slack: "Slack token",
  openai: "OpenAI key",
  linear: "Linear key",
  sendgrid: "SendGrid key",
  shopify: "Shopify token",
  "1password": "1Password secret",
};

/** Findings in `text`; `path` (workspace-relative or a label) picks rules that look at file names. */
export async function scanSecrets(text: string, path: string): Promise<SecretScan> {
  // Text with NUL bytes is binary: secretlint's text rules do not apply and the model is not sent it.
  if (text.includes("\0")) return { findings: [], note: "binary content was not scanned" };
  const scanned = text.length > MAX_SCAN_CHARS ? text.slice(0, MAX_SCAN_CHARS) : text;
  const result = await lintSource({
    source: { content: scanned, filePath: path || "text", contentType: "text" },
    // Masked, so secretlint's own messages never carry a secret even by mistake.
    options: { config: CONFIG, maskSecrets: true, noPhysicFilePath: true },
  });
  const findings = result.messages
    .filter((m) => m.type === "message")
    .map((m): SecretFinding => {
      const [start, end] = spanOf(scanned, m.messageId, m.range);
      return {
        rule: m.ruleId,
        kind: kindOf(m.ruleId, m.messageId),
        line: m.loc.start.line,
        excerpt: excerptOf(scanned.slice(start, end)),
        start,
        end,
      };
    })
    .sort((a, b) => a.start - b.start);
  const scan: SecretScan = { findings };
  if (scanned.length < text.length) {
    scan.note = `only the first ${formatBytes(MAX_SCAN_CHARS)} of ${formatCount(text.length)} characters were scanned`;
  }
  return scan;
}

/**
 * The secret's own place. secretlint's AWS secret access key rule reports the 40 characters from
 * the start of `aws_secret_access_key = …`, the name rather than the key: the key is the 40
 * characters after the `=` (or `:`, `=>`) and an optional quote.
 */
function spanOf(text: string, messageId: string, [start, end]: readonly [number, number]): [number, number] {
  if (messageId !== "AWSSecretAccessKey") return [start, end];
  const after = /^[^\n]*?(?::|=>|=)\s*["']?/.exec(text.slice(start, start + 200));
  if (!after) return [start, end];
  const keyStart = start + after[0].length;
  return [keyStart, Math.min(text.length, keyStart + 40)];
}

function kindOf(rule: string, messageId: string): string {
  const known = KINDS[messageId];
  if (known) return known;
  return NAMES[rule.replace(/^@secretlint\/secretlint-rule-/, "")] ?? `${rule.replace(/^.*secretlint-rule-/, "")} secret`;
}

/**
 * A PEM block by its first line (which names the kind of key and is not secret); anything else
 * by its first four characters and its length, enough to tell two keys apart, not to use one.
 */
function excerptOf(secret: string): string {
  const firstLine = secret.split("\n", 1)[0]!.trim();
  if (/^-----BEGIN [A-Z ]+-----$/.test(firstLine)) return `${firstLine}, ${formatCount(secret.length)} characters`;
  return `${secret.slice(0, 4)}…, ${formatCount(secret.length)} characters`;
}

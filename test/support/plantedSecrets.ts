// Secrets planted in tests: shaped like real ones, so secretlint's recommended rules flag each,
// and none of them works anywhere. They are put together at run time so that this file itself
// does not read as a leaked key to a scanner of the repository.

/** An AWS credential pair as `~/.aws/credentials` or a config file has it. */
export const AWS_KEY_ID = ["AKIA", "QWERTYUIOPASDFGH"].join("");
export const AWS_SECRET = ["7CE556A3BC234CC1FF9E", "8A5C324C0BB70AA21B6D"].join("");
export const awsConfig = (): string =>
  `[default]\naws_access_key_id = ${AWS_KEY_ID}\naws_secret_access_key = ${AWS_SECRET}\nregion = eu-west-1\n`;

/** A GitHub personal access token of the valid shape (`ghp_` and 36 characters). */
export const GITHUB_TOKEN = ["ghp_", "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx"].join("");

/** A PEM private key block (its body is not a key, but it has a key's shape). */
export const PRIVATE_KEY = [
  ["-----BEGIN", "RSA PRIVATE KEY-----"].join(" "),
  "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi6Z1cTqnc9e+NrYkuA5N4CSwW3",
  "q7mVb3Y8kHs0Lx2n9Qe6yTfW1cJp4ZrD8uGhXo5vBaK3sE7tLm0NdPq2wRyUiOjF",
  "k9Hc1Xz4VbNm6QaSdFgJhKlP0oIuYtReWq3Az7Sx8Dc5Fv2Gb1Hn4Jm6Ki9Lo0Pe",
  ["-----END", "RSA PRIVATE KEY-----"].join(" "),
].join("\n");

/**
 * Each planted secret in a file of the kind it would be found in, with the line it starts on;
 * `hidden`: the part no finding, approval or model request may show.
 */
export const PLANTED = [
  { name: "an AWS key", path: "config/aws.ini", text: awsConfig(), secret: AWS_SECRET, hidden: AWS_SECRET, line: 3 },
  {
    name: "a GitHub token",
    path: "src/deploy.ts",
    text: `// deploys the site\nexport const token = "${GITHUB_TOKEN}";\n`,
    secret: GITHUB_TOKEN,
    hidden: GITHUB_TOKEN.slice(4),
    line: 2,
  },
  {
    name: "a private key",
    path: "keys/deploy.pem.txt",
    text: `${PRIVATE_KEY}\n`,
    secret: PRIVATE_KEY,
    hidden: PRIVATE_KEY.split("\n")[1]!,
    line: 1,
  },
] as const;

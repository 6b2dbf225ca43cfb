// The command line's identity: its device keys, its relay token, and each host's keys from
// pairing. Kept in a file only its owner may read (0600), or given whole in TETHER_IDENTITY
// (the string `tether identity export` prints) for a CI secret.

import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";
import { epochKeySchema, fromBase64Url, hostProfileSchema, toBase64Url } from "#protocol";
import { CliError } from "./errors";

/** The exported string starts with this, so a wrong secret is told apart from a damaged one. */
const EXPORT_PREFIX = "tether-identity-1.";

export const hostEntrySchema = z.strictObject({
  hostId: z.string().min(1),
  /** The host's ECDH public key from the pairing link. */
  hostKey: z.string().min(1),
  /** The newest content key the host gave, raw base64url, and its epoch. */
  epoch: z.number().int().min(1),
  key: z.string().min(1),
  older: z.array(epochKeySchema).optional(),
  profile: hostProfileSchema,
  pairedAt: z.number(),
});
export type HostEntry = z.infer<typeof hostEntrySchema>;

export const identitySchema = z.strictObject({
  v: z.literal(1),
  relay: z.string().url(),
  name: z.string().min(1).max(80),
  /** ECDH P-256 private key (JWK): whoever holds it speaks as this device. */
  privateKey: z.record(z.string(), z.unknown()),
  publicKey: z.string().min(1),
  deviceId: z.string().min(1),
  token: z.string().min(1),
  hosts: z.array(hostEntrySchema),
});
export type Identity = z.infer<typeof identitySchema>;

/** Where the identity comes from: a file, or the environment (then it is never written). */
export interface IdentitySource {
  path: string;
  fromEnv: boolean;
}

export function defaultIdentityPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(base, "tether", "identity.json");
}

export function identitySource(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): IdentitySource {
  if (flag) return { path: flag, fromEnv: false };
  return { path: defaultIdentityPath(env), fromEnv: Boolean(env.TETHER_IDENTITY) };
}

export function exportIdentity(identity: Identity): string {
  return EXPORT_PREFIX + toBase64Url(new TextEncoder().encode(JSON.stringify(identity)));
}

export function importIdentity(text: string): Identity {
  const trimmed = text.trim();
  if (!trimmed.startsWith(EXPORT_PREFIX)) {
    throw new CliError("TETHER_IDENTITY is not a Tether identity: set it to what `tether identity export` prints.");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(fromBase64Url(trimmed.slice(EXPORT_PREFIX.length))));
  } catch {
    throw new CliError("TETHER_IDENTITY is damaged (cut short or changed): export it again with `tether identity export`.");
  }
  const identity = identitySchema.safeParse(parsed);
  if (!identity.success) {
    throw new CliError("TETHER_IDENTITY is damaged (cut short or changed): export it again with `tether identity export`.");
  }
  return identity.data;
}

/** The identity, or null when this command line has not paired yet. */
export function readIdentity(source: IdentitySource, env: NodeJS.ProcessEnv = process.env): Identity | null {
  if (source.fromEnv) return importIdentity(env.TETHER_IDENTITY ?? "");
  let text: string;
  try {
    text = readFileSync(source.path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new CliError(`Cannot read ${source.path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`${source.path} is not a Tether identity (not JSON). Move it away and pair again.`);
  }
  const parsed = identitySchema.safeParse(json);
  if (!parsed.success) throw new CliError(`${source.path} is not a Tether identity. Move it away and pair again.`);
  return parsed.data;
}

/** Like `readIdentity`, for commands that need a paired command line. */
export function requireIdentity(source: IdentitySource): Identity {
  const identity = readIdentity(source);
  if (!identity || identity.hosts.length === 0) {
    throw new CliError(`Not paired: run \`tether pair <link>\` with the link your computer shows (identity: ${source.path}).`);
  }
  return identity;
}

/** Writes the file readable by its owner only, whole or not at all (a temporary file renamed over it). */
export function writeIdentity(path: string, identity: Identity): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600 });
  // The mode given at creation is masked by the umask; chmod makes it exactly 0600.
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

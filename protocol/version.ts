/**
 * Version of the wire protocol. Every client sends it in its handshake; the relay refuses a
 * connection whose version differs, and both sides tell their user to update.
 */
export const PROTOCOL_VERSION = 1;

/** The package version, shown in `--help` and the PWA's settings. */
export const TETHER_VERSION = "0.1.0";

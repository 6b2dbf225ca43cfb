// The schemas are written with zod/mini: the same parser as zod's classic API, but as functions
// that a bundler drops when unused, so the phone's first load carries only the checks the wire
// needs. Every protocol module takes `z` from here, so that the English messages are set up
// wherever a schema is used: mini, unlike classic, loads no locale of its own, and its issues
// would say only "Invalid input".

import { z } from "zod/mini";
import en from "zod/v4/locales/en.js";

z.config(en());

export { z };

/** A schema of the protocol (or any zod schema: classic ones are mini ones too) that parses to `T`. */
export type Schema<T> = z.ZodMiniType<T>;
/** Why a payload failed its schema: the issues, with the English messages set up above. */
export type SchemaError = z.core.$ZodError;

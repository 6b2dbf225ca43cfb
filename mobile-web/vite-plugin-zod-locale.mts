// The protocol sets zod's English messages up for every schema (protocol/zod.ts): the relay
// sends them to phones and hosts as the reason a payload was refused. The phone never shows
// one: a payload of the wrong shape becomes its own sentence ("The relay sent an answer this
// app doesn't understand.", link/request.ts) and anything else "Something went wrong in this
// app." So the phone's build replaces the English locale (about 1 KB gzip of its first load)
// by one that sets nothing, and an issue says "Invalid input", or the schema's own message
// where it has one. The relay, the host and the tests use the locale as published.

import type { Plugin } from "vite";

const ENGLISH = /[\\/]zod[\\/]v4[\\/]locales[\\/]en\.js$/;

export function zodWithoutEnglish(): Plugin {
  return {
    name: "tether:zod-without-english",
    enforce: "pre",
    load(id) {
      if (!ENGLISH.test(id.split("?")[0]!)) return null;
      return "export default function en() { return {}; }";
    },
  };
}

// The app's CSP allows no eval. zod compiles its object checks with `new Function` unless told
// not to, and it probes whether it may as each object schema is built, a probe the browser
// reports as a CSP violation. Imported first by each entry, so it runs before any schema is
// built: the bundler may hoist the schemas' shared chunk above the body of a later module.

import { config } from "zod/v4/core";

config({ jitless: true });

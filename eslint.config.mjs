import js from "@eslint/js";
import svelte from "eslint-plugin-svelte";
import globals from "globals";
import tseslint from "typescript-eslint";

/** An import pattern for relative paths that climb into one of `parts` (a regex alternation). */
function ours(message, parts) {
  return { regex: `^(\\.\\./)+(${parts})(/|$)`, message };
}

/** protocol/ is imported by its name, `#protocol` (package.json "imports"), never by climbing to it. */
const byName = ours("import protocol/ as #protocol or #protocol/<file>", "protocol");

/** The rule for a part: it may not climb into `parts`, nor into protocol/ by path. */
function boundary(message, parts, paths = []) {
  return ["error", { paths, patterns: [ours(message, parts), byName] }];
}

export default tseslint.config(
  { ignores: ["dist/", "out/", "node_modules/", "**/*.d.ts", ".tether-test/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs["flat/recommended"],
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      "@typescript-eslint/no-explicit-any": "error",
      "no-console": ["error", { allow: ["warn", "error"] }],
      eqeqeq: ["error", "always"],
      // One import per module: `import { a, type B } from "x"`, not two lines that drift apart.
      "no-duplicate-imports": "error",
    },
  },
  // The parts and the directions they may import in (DESIGN.md, "Layout"): `protocol/` imports
  // nothing of ours; the relay, the host and the phone import `protocol/` and never each other;
  // the host's core never imports `vscode`; tests import nothing from the bench.
  {
    files: ["protocol/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [ours("protocol/ imports nothing of Tether's own parts", "relay|extension|mobile-web|test|bench|scripts")] },
      ],
    },
  },
  {
    files: ["relay/**/*.ts"],
    rules: {
      "no-restricted-imports": boundary("the relay imports protocol/ only", "extension|mobile-web|test|bench|scripts"),
    },
  },
  {
    files: ["extension/**/*.ts"],
    rules: {
      "no-restricted-imports": boundary(
        "the host imports protocol/, not the relay's or the phone's code",
        "relay|mobile-web|test|bench|scripts",
      ),
    },
  },
  {
    files: ["extension/core/**/*.ts"],
    rules: {
      "no-restricted-imports": boundary(
        "the host imports protocol/, not the relay's or the phone's code",
        "relay|mobile-web|test|bench|scripts",
        [{ name: "vscode", message: "extension/core runs without an editor too: take what it needs through a port." }],
      ),
    },
  },
  {
    files: ["mobile-web/**/*.ts", "mobile-web/**/*.svelte"],
    rules: {
      "no-restricted-imports": boundary("the phone imports protocol/ only", "relay|extension|test|bench|scripts"),
    },
  },
  {
    // The command line is a phone without a screen: the phone's plain code, never its Svelte state.
    files: ["cli/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ours("the command line imports protocol/ and the phone's plain code only", "relay|extension|test|bench|scripts"),
            byName,
            { regex: "\\.svelte(\\.ts)?$", message: "the command line runs in Node: the phone's Svelte state needs a page" },
          ],
        },
      ],
    },
  },
  {
    files: ["test/**/*.ts"],
    rules: {
      "no-restricted-imports": boundary("tests import nothing from the bench; shared helpers live in test/support", "bench"),
    },
  },
  {
    files: ["**/*.svelte", "**/*.svelte.ts"],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: [".svelte"] } },
  },
  {
    files: ["bench/**/*.ts", "scripts/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [byName] }] },
  },
  {
    files: ["bin/*.js"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["test/**/*.ts", "scripts/**/*.ts", "esbuild.config.mjs", "bench/**/*.ts"],
    rules: { "no-console": "off" },
  },
);

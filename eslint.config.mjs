// ESLint (flat config): eslint's and typescript-eslint's recommended rules on every TS/JS file, plus
// type-aware rules that find real bugs (promises nobody awaits or that land where a void callback is
// expected, awaits on non-promises, thrown non-Errors, non-exhaustive switches). `npm run lint`.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Node's globals for the plain .js/.mjs files (TS files get theirs from @types/node). */
const nodeGlobals = Object.fromEntries(
  [
    "require",
    "module",
    "exports",
    "__dirname",
    "__filename",
    "process",
    "console",
    "Buffer",
    "setTimeout",
    "clearTimeout",
    "setInterval",
    "clearInterval",
    "URL",
    "TextDecoder",
    "TextEncoder",
    "performance",
  ].map((g) => [g, "readonly"]),
);

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "native/build/",
      "out/",
      "runs/",
      "data/",
      "notebooks/",
      "jupyter/",
      "shims/",
      "tests/fixtures/",
      "**/*.d.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/only-throw-error": "error",
      "@typescript-eslint/no-for-in-array": "error",
      "@typescript-eslint/no-implied-eval": "error",
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      // `_name` marks a parameter or binding kept on purpose (a callback's position, a rest-omit).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Commands load heavy libraries (tfjs, tokenizers, models) inside their actions with
    // `require(...) as typeof import(...)`, so that `ner --help` and flag errors stay fast (see cli/main.ts).
    files: ["src/cli/**/*.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["tests/**/*.ts"],
    rules: {
      // node:test's test() returns a promise the runner awaits itself.
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [
            { from: "package", package: "node:test", name: ["test", "describe", "it", "suite"] },
          ],
        },
      ],
      // Tests parse JSON output loosely, and check on purpose that control characters are escaped.
      "@typescript-eslint/no-explicit-any": "off",
      "no-control-regex": "off",
    },
  },
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: nodeGlobals },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  { files: ["**/*.mjs"], languageOptions: { sourceType: "module" } },
);

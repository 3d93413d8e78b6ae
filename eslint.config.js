// ESLint for the whole workspace (STYLE.md: "Pure core, thin adapters", "Small public surface, no dead code").
// One flat config at the root; `pnpm lint` runs it once over every package, app and script.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Builtins the pure core (parser, eval) must not import: no file system, network, processes or timers. */
const IMPURE_MODULES = ['fs', 'fs/promises', 'net', 'http', 'https', 'child_process', 'timers', 'timers/promises'];
const IMPURE_IMPORT_MESSAGE =
  'parser and eval are pure: take strings and objects, let an adapter do the I/O (STYLE.md "Pure core, thin adapters").';

const noDefaultExport = [
  { selector: 'ExportDefaultDeclaration', message: 'Use a named export (STYLE.md: no default exports).' },
  { selector: 'ExportSpecifier[exported.name="default"]', message: 'Use a named export (STYLE.md: no default exports).' },
];

export default defineConfig(
  {
    ignores: ['**/dist/**', '**/.turbo/**', '**/coverage/**', '**/test/fixtures/**'],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    // Type-aware rules wherever a package tsconfig covers the file (code, tests, benches, examples); config files and
    // root scripts are outside every project and keep the syntactic rules only.
    files: ['packages/*/{src,test,bench,examples}/**/*.ts', 'apps/*/{src,test,bench}/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    // Test doubles implement async interfaces without awaiting, and `expect(obj.method)` passes methods unbound.
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off', '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // Same rule as tsc's noUnusedLocals: `const { a: _, ...rest } = o` is how an object omits a key.
    rules: { '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }] },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
  },
  {
    rules: { 'no-restricted-syntax': ['error', ...noDefaultExport] },
  },
  {
    // Tool configs are loaded by their tools through a default export.
    files: ['**/*.config.{ts,js,mjs}', 'scripts/summary-reporter.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // The pure core: no I/O, no timers, no wall clock (event time comes from the event, wall time from an injected clock).
    files: ['packages/parser/src/**/*.ts', 'packages/eval/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: IMPURE_MODULES.flatMap((name) => [
            { name, message: IMPURE_IMPORT_MESSAGE },
            { name: `node:${name}`, message: IMPURE_IMPORT_MESSAGE },
          ]),
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'setImmediate'].map((name) => ({
          name,
          message: 'No timers in the pure core: the caller decides when things run.',
        })),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'No wall clock in the pure core: use event time or the injected clock.' },
      ],
    },
  },
);

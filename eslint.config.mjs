// ESLint for the web client (web/), run by `make lint` from the browser tests' npm tooling
// (tests/browser/package.json pins it). Rules that catch bugs, not style: Prettier formats
// (.prettierrc.json, make fmt; make lint checks it).
import { createRequire } from 'node:module';

const tooling = createRequire(new URL('./tests/browser/package.json', import.meta.url));
const { default: js } = await import(tooling.resolve('@eslint/js'));
const { default: globals } = await import(tooling.resolve('globals'));

export default [
  { ignores: ['**/node_modules/**', 'test-artifacts/**', '.venv/**', 'tests/**', '.aws-sam/**'] },
  js.configs.recommended,
  {
    files: ['web/**/*.js'],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.browser },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-shadow-restricted-names': 'error',
      'no-self-compare': 'error',
      'no-template-curly-in-string': 'error',
      'no-unmodified-loop-condition': 'error',
      'no-unreachable-loop': 'error',
      'no-constructor-return': 'error',
      'no-promise-executor-return': 'error',
      'require-atomic-updates': 'off',
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  {
    files: ['web/sw.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.serviceworker } },
  },
];

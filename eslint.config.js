// ESLint flat config: typescript-eslint's type-aware recommended rules plus the house rules.
// Formatting is prettier's job (eslint-config-prettier turns off every rule that would fight it);
// `npm run lint` runs both.
'use strict';
const { defineConfig } = require('eslint/config');
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const importX = require('eslint-plugin-import-x');
const prettier = require('eslint-config-prettier');

const useClock = 'use the injected Clock (src/shared/clock.ts) so that tests can pin the time.';

// The no-unsafe-* family reports every use of an `any` value.
const unsafeAny = {
  '@typescript-eslint/no-unsafe-argument': 'off',
  '@typescript-eslint/no-unsafe-assignment': 'off',
  '@typescript-eslint/no-unsafe-call': 'off',
  '@typescript-eslint/no-unsafe-member-access': 'off',
  '@typescript-eslint/no-unsafe-return': 'off',
};

module.exports = defineConfig(
  { ignores: ['node_modules/', 'dist/', '.data/', 'coverage/', 'bench/out/', 'tmp/'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },

  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: __dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      // `import x = require('…')` types a CommonJS package without a default export; a package.json is data.
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true, allow: ['/package\\.json$'] }],
      // A `let` that a closure reads before its one assignment (start.ts's shutdown handler) must stay a `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Off: ~660 hits, tests' GraphQL JSON and SQL rows from TypeORM's query(), which is `any` until the
      // typed database interface serves them.
      ...unsafeAny,
      // Off: ~60 harmless hits across files being reworked; `eslint --fix` removes them in one go later.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Off: Apollo plugin hooks and interface methods are async by contract, with or without an await.
      '@typescript-eslint/require-await': 'off',
      // Off: a value narrowed from `unknown` (a SQL cell) is typed `{}`, and String() of it is what is meant.
      '@typescript-eslint/no-base-to-string': 'off',
      // Off: the input validators match control characters on purpose, to reject them.
      'no-control-regex': 'off',
      // Off: it reports defensive initialisations (`let ok = false` before a try whose every branch assigns).
      'no-useless-assignment': 'off',
    },
  },

  // Tests and benchmarks read untyped GraphQL JSON and fixtures.
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },

  // Plain CommonJS files (configs, the SWC register hook, the mocha reporter): no type information.
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        exports: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },

  // House rules for the application code.
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js', '.json', '.node'] })],
    },
    rules: {
      // Imports point down: a cycle of value imports (type-only imports are erased and not counted).
      'import-x/no-cycle': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: `new Date(): ${useClock}` },
        { selector: "CallExpression[callee.name='Date']", message: `Date(): ${useClock}` },
        { selector: "MemberExpression[object.name='Date'][property.name='now']", message: `Date.now: ${useClock}` },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Settings are read in src/config/ (getConfig) and passed in; nothing else reads process.env.',
        },
      ],
    },
  },
  { files: ['src/shared/clock.ts'], rules: { 'no-restricted-syntax': 'off' } },
  { files: ['src/config/**/*.ts'], rules: { 'no-restricted-properties': 'off' } },
  // TypeORM entities name each other in relations and foreign keys through thunks (`() => OtherEntity`),
  // read only after every module has loaded: the documented TypeORM pattern, not a load-order cycle.
  { files: ['src/db/entities/*.entity.ts'], rules: { 'import-x/no-cycle': 'off' } },

  prettier,
  // After eslint-config-prettier, which turns max-len off. Prettier keeps code within 120 columns but wraps
  // neither comments nor strings: this rule holds comments to 120. Strings and template literals (messages
  // someone greps for, SQL) are left whole, as are URLs and regular expressions.
  {
    rules: {
      'max-len': [
        'error',
        {
          code: 120,
          ignoreUrls: true,
          ignoreRegExpLiterals: true,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
        },
      ],
    },
  },
);

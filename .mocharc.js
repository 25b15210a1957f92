'use strict';
// `npx mocha test/some/file.spec.ts` runs that file only: the default spec list applies when no
// test file is named on the command line (mocha adds positional files to the config's `spec`).
const named = process.argv.slice(2).some((a) => !a.startsWith('-') && /\.spec\.ts$/.test(a));

module.exports = {
  require: ['./scripts/register.js', './test/support/hooks.ts'],
  spec: named ? [] : ['test/**/*.spec.ts'],
  extension: ['ts'],
  reporter: './test/support/reporter.js',
  timeout: 60000,
  exit: true,
};

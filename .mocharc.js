'use strict';
module.exports = {
  require: ['./scripts/register.js', './test/support/hooks.ts'],
  spec: ['test/**/*.spec.ts'],
  extension: ['ts'],
  reporter: './test/support/reporter.js',
  timeout: 60000,
  exit: true,
};

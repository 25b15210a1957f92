// Mocha reporter for CI: mocha's Spec output, then one closing line "N passed, N failed"
// taken from mocha's own run statistics (CI reads that line; mocha sets the exit code).
'use strict';
const Mocha = require('mocha');
const { Spec } = Mocha.reporters;
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats || {};
      // The last line stays exactly "N passed, N failed"; skipped tests are counted on the line before.
      if (s.pending) process.stdout.write(`\n${s.pending} skipped`);
      process.stdout.write(`\n${s.passes || 0} passed, ${s.failures || 0} failed\n`);
    });
  }
}
module.exports = SummaryReporter;

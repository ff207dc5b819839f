// Jest globalSetup: creates this run's scratch directory, where test/support/outside-tools.ts shares
// what it detected between workers, so each outside tool is probed once per run instead of once per file.
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

module.exports = function globalSetup() {
  process.env.CAMPUSG_TEST_RUN_DIR = mkdtempSync(path.join(tmpdir(), 'campusg-test-run-'));
};

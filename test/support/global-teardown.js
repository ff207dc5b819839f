// Jest globalTeardown: removes the scratch directory global-setup.js created for this run.
const { rmSync } = require('node:fs');

module.exports = function globalTeardown() {
  const dir = process.env.CAMPUSG_TEST_RUN_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
};

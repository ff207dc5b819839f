// Jest runner for mutation runs only (stryker.config.mjs sets it; `npm test` never uses it).
//
// Stryker runs each mutant with `--testNamePattern` naming just the tests that cover it, but Jest still loads
// every test file it was given to find out which tests a file holds, and loading a file costs its whole
// import graph (kafkajs, the AWS SDK, the contracts). This runner skips the files none of whose tests the
// pattern names: during the initial run (no pattern) it writes each file's full test names to
// .stryker-test-names.json in the sandbox; in a mutant run it keeps a file when one of its recorded names
// matches, or when it has no record of the file. The tests that run are the same, only sooner.
const fs = require('node:fs');
const path = require('node:path');
const TestRunner = require('jest-runner').default;

const NAMES_FILE = path.join(process.cwd(), '.stryker-test-names.json');

/** @type {Record<string, string[]> | undefined} */
let namesByFile;

function recordedNames() {
  if (!namesByFile) {
    try {
      namesByFile = JSON.parse(fs.readFileSync(NAMES_FILE, 'utf8'));
    } catch {
      return {};
    }
  }
  return namesByFile;
}

class MutationTestRunner extends TestRunner {
  async runTests(tests, watcher, options) {
    const pattern = this._globalConfig.testNamePattern;
    if (!pattern) return this.#recordNames(tests, watcher, options);
    const matches = new RegExp(pattern, 'i');
    const names = recordedNames();
    const wanted = tests.filter((test) => {
      const known = names[test.path];
      return !known || known.some((name) => matches.test(name));
    });
    return super.runTests(wanted, watcher, options);
  }

  async #recordNames(tests, watcher, options) {
    const names = { ...recordedNames() };
    const stop = this.on('test-file-success', ([test, result]) => {
      names[test.path] = result.testResults.map((r) => r.fullName);
    });
    try {
      await super.runTests(tests, watcher, options);
    } finally {
      stop();
    }
    namesByFile = names;
    // written whole, then renamed: another test-runner process may be reading it
    const partial = `${NAMES_FILE}.${process.pid}`;
    fs.writeFileSync(partial, JSON.stringify(names));
    fs.renameSync(partial, NAMES_FILE);
  }
}

module.exports = MutationTestRunner;

// Jest reporter: after the default summary, prints ONE line naming the tests skipped because an outside
// tool (kcat, kafka-python, docker-compose, ...) is missing, and the command that installs them all.
// test/support/outside-tools.ts marks those tests' names; this file only reads the marks.
const MARK =
  /\[skipped, outside tool missing: ([\w-]+); install: sudo apt-get install -y --no-install-recommends ([\w.+-]+)\]/;

class SkippedToolsReporter {
  constructor() {
    /** tool -> { pkg, count } */
    this.skipped = new Map();
  }

  onTestResult(_test, result) {
    for (const t of result.testResults) {
      if (t.status !== 'pending' && t.status !== 'skipped') continue;
      const m = MARK.exec([...t.ancestorTitles, t.title].join(' '));
      if (!m) continue;
      const entry = this.skipped.get(m[1]) ?? { pkg: m[2], count: 0 };
      entry.count += 1;
      this.skipped.set(m[1], entry);
    }
  }

  onRunComplete() {
    if (this.skipped.size === 0) return;
    const entries = [...this.skipped.entries()].sort(([a], [b]) => a.localeCompare(b));
    const total = entries.reduce((n, [, e]) => n + e.count, 0);
    const tools = entries.map(([tool, e]) => `${tool} (${e.count})`).join(', ');
    const pkgs = entries.map(([, e]) => e.pkg).join(' ');
    process.stderr.write(
      `\nSkipped ${total} test${total === 1 ? '' : 's'} that need outside tools not installed here: ${tools}. ` +
        `To run them: sudo apt-get install -y --no-install-recommends ${pkgs}  (CI=true turns these skips into failures.)\n`,
    );
  }
}

module.exports = SkippedToolsReporter;

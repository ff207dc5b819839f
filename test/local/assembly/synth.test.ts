import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assemblyStaleness } from '#local/assembly/synth';
import { writeFixtureAssembly } from '#test/support/fixture-assembly';

describe('assemblyStaleness', () => {
  it('is stale without a manifest and when an input is newer than it', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stale-'));
    try {
      fs.mkdirSync(path.join(root, 'infra'));
      fs.writeFileSync(path.join(root, 'infra', 'app.ts'), '');
      expect(assemblyStaleness(root, path.join(root, 'cdk.out')).stale).toBe(true);
      writeFixtureAssembly(path.join(root, 'cdk.out'));
      const old = new Date(Date.now() - 60_000);
      fs.utimesSync(path.join(root, 'infra', 'app.ts'), old, old);
      expect(assemblyStaleness(root, path.join(root, 'cdk.out'))).toEqual({
        stale: false,
        reason: 'up to date',
      });
      fs.mkdirSync(path.join(root, 'functions', 'order'), { recursive: true });
      fs.writeFileSync(path.join(root, 'functions', 'order', 'api.ts'), 'x');
      const future = new Date(Date.now() + 60_000);
      fs.utimesSync(path.join(root, 'functions', 'order', 'api.ts'), future, future);
      const s = assemblyStaleness(root, path.join(root, 'cdk.out'));
      expect(s.stale).toBe(true);
      expect(s.reason).toContain(path.join('functions', 'order', 'api.ts'));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

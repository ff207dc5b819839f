/**
 * The one place that decides what happens to a test that drives a program from outside Node.js
 * (kcat, the Python Kafka clients, docker-compose, a browser). `npm test` must pass on a machine that
 * has only Node.js, and CI must still run everything:
 *   - tool present: the tests run, with `command` naming the program to spawn;
 *   - tool missing, CI unset: the tests are reported skipped, their name saying why and how to install
 *     the tool; test/support/skipped-tools-reporter.js sums them up in one line at the end of the run;
 *   - tool missing, CI=true: the tests run and fail with a message naming the tool and its install command.
 *
 *   const kcat = withTool('kcat');
 *   kcat.describe('embedded broker with kcat', () => { ... });   // or kcat.it('...', async () => { ... })
 *   spawn(kcat.command, [...]);
 *
 * Detection runs once per run and tool: the first test worker to look writes its answer into the run's
 * directory (created by test/support/global-setup.js), the others read it.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export type ToolName = 'kcat' | 'kafka-python' | 'confluent-kafka' | 'docker-compose' | 'chromium';

/** Marker in the name of a skipped test; the reporter parses it, so keep both in step. */
export const SKIP_MARKER = 'skipped, outside tool missing:';

const PYTHON = '/usr/bin/python3';

interface ToolSpec {
  /** Debian package that provides the tool. */
  readonly debianPackage: string;
  /** Finds the tool; returns the command to run it, or undefined when it is missing. */
  readonly detect: () => string | undefined;
}

const TOOLS: Record<ToolName, ToolSpec> = {
  kcat: { debianPackage: 'kcat', detect: () => onPath('kcat') },
  'kafka-python': { debianPackage: 'python3-kafka', detect: () => pythonWith('kafka') },
  'confluent-kafka': {
    debianPackage: 'python3-confluent-kafka',
    detect: () => pythonWith('confluent_kafka'),
  },
  'docker-compose': { debianPackage: 'docker-compose', detect: () => onPath('docker-compose') },
  chromium: {
    debianPackage: 'chromium',
    detect: () => onPath('chromium') ?? onPath('chromium-browser') ?? chromiumOutsidePath(),
  },
};

export interface OutsideTool {
  readonly name: ToolName;
  /** What to spawn: an absolute path when found, the bare name otherwise (so a spawn error names it). */
  readonly command: string;
  readonly available: boolean;
  /** The shell command that installs the tool on Debian/Ubuntu. */
  readonly install: string;
  /** `describe` for a block whose every test needs the tool. */
  describe(name: string, fn: () => void): void;
  /** `it` for a single test that needs the tool. */
  it(name: string, fn: jest.ProvidesCallback, timeout?: number): void;
}

/** The install command for the given tools, for messages and the README. */
export function installCommand(...names: ToolName[]): string {
  return `sudo apt-get install -y --no-install-recommends ${names.map((n) => TOOLS[n].debianPackage).join(' ')}`;
}

/** The error a test gets under CI=true when its tool is missing. */
export class OutsideToolMissingError extends Error {
  override readonly name = 'OutsideToolMissingError';
  constructor(readonly tool: ToolName) {
    super(
      `${tool} is not installed, and CI=true requires every test to run. ` +
        `Install it with \`${installCommand(tool)}\` (bash .ci/run does), or unset CI to skip these tests.`,
    );
  }
}

export function withTool(name: ToolName): OutsideTool {
  const found = detect(name);
  const available = found !== undefined;
  const install = installCommand(name);
  const command = found ?? name;
  const mustRun = available || isCi();
  const skipLabel = (title: string) => `${title} [${SKIP_MARKER} ${name}; install: ${install}]`;
  const missing = () => new OutsideToolMissingError(name);

  return {
    name,
    command,
    available,
    install,
    describe(title, fn) {
      if (!mustRun) {
        // biome-ignore lint/suspicious/noSkippedTests: the single place that skips tests whose outside tool is missing (issue 12)
        describe.skip(skipLabel(title), fn);
        return;
      }
      describe(title, () => {
        if (!available)
          beforeEach(() => {
            throw missing();
          });
        fn();
      });
    },
    it(title, fn, timeout) {
      if (!mustRun) {
        it.skip(skipLabel(title), fn, timeout);
        return;
      }
      if (!available) {
        it(
          title,
          () => {
            throw missing();
          },
          timeout,
        );
        return;
      }
      it(title, fn, timeout);
    },
  };
}

function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** Detects a tool once per run (shared through the run directory) and once per test file otherwise. */
const memo = new Map<ToolName, string | undefined>();
function detect(name: ToolName): string | undefined {
  if (memo.has(name)) return memo.get(name);
  const cacheFile = runDir() && path.join(runDir()!, `tool-${name}.json`);
  let result: string | undefined;
  let cached = false;
  if (cacheFile) {
    try {
      result =
        (JSON.parse(readFileSync(cacheFile, 'utf8')) as { command: string | null }).command ?? undefined;
      cached = true;
    } catch {
      // not detected yet in this run
    }
  }
  if (!cached) {
    result = TOOLS[name].detect();
    if (cacheFile) {
      // Write then rename, so a worker reading concurrently sees a whole file or none.
      const temp = `${cacheFile}.${process.pid}`;
      writeFileSync(temp, JSON.stringify({ command: result ?? null }));
      renameSync(temp, cacheFile);
    }
  }
  memo.set(name, result);
  return result;
}

function runDir(): string | undefined {
  return process.env.CAMPUSG_TEST_RUN_DIR || undefined;
}

function onPath(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Debian's /usr/bin/chromium, for a PATH that leaves /usr/bin out (a PATH that has it was searched already). */
function chromiumOutsidePath(): string | undefined {
  const onPathDirs = (process.env.PATH ?? '').split(path.delimiter);
  if (onPathDirs.includes('/usr/bin')) return undefined;
  try {
    accessSync('/usr/bin/chromium', constants.X_OK);
    return '/usr/bin/chromium';
  } catch {
    return undefined;
  }
}

/** The system Python (where Debian's python3-* packages install) when it can import `module`. */
function pythonWith(module: string): string | undefined {
  const r = spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 30_000 });
  return r.status === 0 ? PYTHON : undefined;
}

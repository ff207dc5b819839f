import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { DEFAULT_CONSOLE_PORT } from '#local/console/defaults';
import { readRuntimeFile, runtimeFileOf } from '#local/core/state-file';
import { STATE_DIR_HELP, stateDirOf } from '../long-running';
import { action, CliError, EXIT, type Io, line, processIo } from '../output';

/**
 * `campusg console`: prints the URL of the running system's web console (served by `npm start` on its own
 * port, recorded in runtime.json) and opens it in a browser when one can be started (`--no-open` does not).
 * The console lives inside the local runtime: the LocalStack bridge serves none.
 */
export function register(program: Command, io: Io = processIo): void {
  program
    .command('console')
    .description("print the running system's web console URL and open it in a browser")
    .option('--no-open', 'only print the URL')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .action(
      action(io, async (opts: { open: boolean; stateDir?: string }) => {
        const url = await consoleUrl(stateDirOf(opts.stateDir));
        line(io, url);
        if (opts.open) {
          const opened = openBrowser(url);
          if (!opened) io.err.write('campusg: no browser to open here; open the URL above yourself\n');
        }
        return EXIT.OK;
      }),
    );
}

/** The console URL from runtime.json, checked to answer. */
export async function consoleUrl(stateDir: string): Promise<string> {
  const file = runtimeFileOf(stateDir);
  const read = readRuntimeFile(file);
  if (!read.info)
    throw new CliError(
      `no running system found (${read.problem}); start one with \`npm start\` (the console is on port ${DEFAULT_CONSOLE_PORT} unless --console-port says otherwise)`,
    );
  const url = read.info.endpoints.console;
  if (!url)
    throw new CliError(
      `the running system (pid ${read.info.pid}) serves no web console: it was started without one (only \`campusg start\` / \`npm start\` serves it; the LocalStack bridge does not)`,
    );
  try {
    const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`answered ${res.status}`);
  } catch (err) {
    throw new CliError(
      `the console at ${url} does not answer (${err instanceof Error ? err.message : String(err)}); is the system still running? try \`node bin/campusg.js doctor\``,
    );
  }
  return url;
}

/** Starts the platform's URL opener, detached; false when there is none to start (no desktop session). */
function openBrowser(url: string): boolean {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : process.env.DISPLAY || process.env.WAYLAND_DISPLAY
          ? ['xdg-open', [url]]
          : [undefined, []];
  if (!cmd) return false;
  try {
    const child = spawn(cmd, args as string[], { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}

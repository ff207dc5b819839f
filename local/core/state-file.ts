/**
 * The state directory's runtime description, `<stateDir>/runtime.json`: its schema, the one reader and the
 * one writer. The running runtime writes it (endpoints, pid, data dir, time scale) so that `campusg`
 * commands in another terminal find the system; the CLI targets read it; the runtime's directory lock
 * reports a file left behind by a runtime that is gone. Keeping the three here means they cannot disagree.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

/** File name of the runtime description inside the state directory. */
export const RUNTIME_FILE = 'runtime.json';

/** The lock (local/instance-guard) a running runtime holds in its state and data directories. */
export const RUNTIME_LOCK = 'runtime.lock';

/** `<stateDir>/runtime.json`. */
export function runtimeFileOf(stateDir: string): string {
  return join(stateDir, RUNTIME_FILE);
}

/** `<stateDir>/runtime.json`, written by the running local runtime. */
export const RuntimeInfo = z.object({
  pid: z.number().int(),
  startedAt: z.union([z.string(), z.number()]).optional(),
  endpoints: z.object({
    kafka: z.union([z.string(), z.array(z.string())]).optional(),
    http: z.string().optional(),
    aws: z.string().optional(),
    dynamodb: z.string().optional(),
    /** The web console (local/console), when the runtime serves one. */
    console: z.string().optional(),
  }),
  dataDir: z.string().optional(),
  /** Scheduler time scale, when the runtime reports it (`demo` uses it to tell whether a deadline can pass). */
  timeScale: z.number().positive().optional(),
});
export type RuntimeInfo = z.infer<typeof RuntimeInfo>;

/** What reading runtime.json gave: the description, or why there is none (and any pid the file names). */
export type RuntimeFileRead =
  | {
      readonly info: RuntimeInfo;
      readonly problem?: undefined;
      readonly reason?: undefined;
      readonly pid?: undefined;
    }
  | {
      readonly info?: undefined;
      readonly problem: string;
      /** No file, a file that cannot be read, one that is not JSON, or JSON that is not a runtime description. */
      readonly reason: 'missing' | 'unreadable' | 'not-json' | 'invalid';
      /** The `pid` field of a file that is JSON but not a full runtime description. */
      readonly pid?: number;
    };

export function readRuntimeFile(file: string): RuntimeFileRead {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? { problem: `${file} does not exist`, reason: 'missing' }
      : { problem: `cannot read ${file}: ${code}`, reason: 'unreadable' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: `${file} is not JSON`, reason: 'not-json' };
  }
  const parsed = RuntimeInfo.safeParse(json);
  if (parsed.success) return { info: parsed.data };
  const pid = (json as { pid?: unknown } | null)?.pid;
  return {
    problem: `${file} is not a runtime description: ${parsed.error.issues[0]?.message}`,
    reason: 'invalid',
    ...(typeof pid === 'number' ? { pid } : {}),
  };
}

/** Writes runtime.json through a temp file and a rename, so a reader in another terminal never sees half a file. */
export function writeRuntimeFile(file: string, info: RuntimeInfo): void {
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(info, null, 2)}\n`);
  renameSync(temp, file);
}

export function removeRuntimeFile(file: string): void {
  rmSync(file, { force: true });
}

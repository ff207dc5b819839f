import { type Command, Option } from 'commander';
import { DEFAULT_ENDPOINTS } from '#local/core/defaults';
import { LocalJwt } from '#local/http-api/jwt';
import { STATE_DIR_HELP, stateDirOf } from '../long-running';
import { action, EXIT, type Io, line, positiveInt, processIo, UsageError } from '../output';

/**
 * `campusg token --customer <id> | --runner <id>`: prints a dev JWT for the local HTTP API, signed with the
 * key the running runtime verifies against (`<state-dir>/jwt-key.json`, created on first use).
 */
export function register(program: Command, io: Io = processIo): void {
  program
    .command('token')
    .description('print a dev JWT for the local HTTP API (use as "Authorization: Bearer <token>")')
    .addOption(
      new Option('--customer <id>', 'a token for customer <id> (group customers)').conflicts('runner'),
    )
    .addOption(new Option('--runner <id>', 'a token for runner <id> (group runners)').conflicts('customer'))
    .option('--ttl <seconds>', 'lifetime of the token in seconds', positiveInt('--ttl'), 3600)
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .addHelpText(
      'after',
      `\nExample:\n  curl -H "Authorization: Bearer $(node bin/campusg.js token --customer cust-1)" ${DEFAULT_ENDPOINTS.http}/orders/123`,
    )
    .action(
      action(io, async (opts: { customer?: string; runner?: string; ttl: number; stateDir?: string }) => {
        const sub = opts.customer ?? opts.runner;
        if (sub === undefined || sub.trim() === '') {
          throw new UsageError('token: give --customer <id> or --runner <id>');
        }
        const stateDir = stateDirOf(opts.stateDir);
        const jwt = await LocalJwt.load(stateDir);
        const token = await jwt.issueToken({
          sub,
          groups: [opts.customer !== undefined ? 'customers' : 'runners'],
          ttlSeconds: opts.ttl,
        });
        line(io, token);
        return EXIT.OK;
      }),
    );
}

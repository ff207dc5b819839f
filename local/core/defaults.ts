/**
 * The local system's default addresses and directories, in one place: the runtime, the servers it starts,
 * the LocalStack bridge and the CLI (its option defaults, help texts and the targets' fallbacks) all read
 * them here, so a port changes in one line and help never disagrees with what is listened on.
 */

/** Interface every local server binds unless told otherwise. */
export const DEFAULT_HOST = '127.0.0.1';

/** Default ports of the embedded broker, the HTTP API and the local AWS API emulator. */
export const DEFAULT_PORTS = {
  kafka: 9092,
  http: 3000,
  aws: 4577,
} as const;

/** runtime.json and the dev-token key live in `<cwd>/.campusg` unless `--state-dir`/`CAMPUSG_STATE_DIR` say otherwise. */
export const DEFAULT_STATE_DIR = '.campusg';

/** LocalStack's edge endpoint and the compose file's Kafka, as seen from this machine (localstack/compose.yml). */
export const LOCALSTACK_DEFAULTS = {
  endpoint: 'http://localhost:4566',
  kafkaBrokers: `localhost:${DEFAULT_PORTS.kafka}`,
} as const;

/** The default local endpoints as clients spell them. */
export const DEFAULT_ENDPOINTS = {
  kafka: `${DEFAULT_HOST}:${DEFAULT_PORTS.kafka}`,
  http: `http://${DEFAULT_HOST}:${DEFAULT_PORTS.http}`,
  aws: `http://${DEFAULT_HOST}:${DEFAULT_PORTS.aws}`,
} as const;

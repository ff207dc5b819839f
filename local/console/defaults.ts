/** The console's port unless `--console-port` says otherwise (kept apart from server.ts so the CLI can read it cheaply). */
export const DEFAULT_CONSOLE_PORT = 3100;

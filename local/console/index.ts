/** The web console of the running local system (issue 13): see server.ts and docs/console.md. */
export { DEFAULT_CONSOLE_PORT } from './defaults';
export { type Console, type ConsoleOptions, startConsole } from './server';

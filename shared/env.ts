/**
 * Reading the function's environment: required, optional and integer variables, each failing with the
 * variable's name. A foundation module (beside errors.ts): adapters and wiring both read configuration.
 */
import { ConfigurationError } from '#shared/errors';

/**
 * Environment access for handlers. Values are read when asked for (never at import), so tests and the local
 * runtime can set the environment after loading a module. Names are listed in docs/conventions.md.
 */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new ConfigurationError(`environment variable ${name} is not set; the deployment must provide it`);
  }
  return value;
}

export function optionalEnv(name: string, fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

export function intEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ConfigurationError(
      `environment variable ${name} must be a non-negative integer, not ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

export function serviceName(env: NodeJS.ProcessEnv = process.env): string {
  return env.CAMPUSG_SERVICE || env.POWERTOOLS_SERVICE_NAME || 'campusg';
}

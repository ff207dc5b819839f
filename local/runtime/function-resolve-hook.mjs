/**
 * ES module resolve hook of a local Lambda execution environment (registered by function-worker.js): an
 * `import` or `import()` from a function resolves only to a Node.js built-in or to a file inside the
 * function's asset directory, as in Lambda's /var/task. Anything Node would find elsewhere (the project's
 * node_modules above cdk.out) fails with ERR_MODULE_NOT_FOUND, the error Lambda would raise.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

let root;

export function initialize(data) {
  root = data.root;
}

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (!root || !result.url.startsWith('file:')) return result;
  const file = fileURLToPath(result.url);
  const rel = path.relative(root, file);
  if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return result;
  const from = context.parentURL ? ` imported from ${fileURLToPath(context.parentURL)}` : '';
  const err = new Error(`Cannot find package '${specifier}'${from}`);
  err.code = 'ERR_MODULE_NOT_FOUND';
  throw err;
}

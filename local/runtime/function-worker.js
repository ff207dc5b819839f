/**
 * One Lambda execution environment: a child process of the function host that loads one bundle
 * (`<LAMBDA_TASK_ROOT>/<module>.js|.mjs|.cjs`, handler per `_HANDLER`), keeps it warm and runs one
 * invocation at a time. Plain CommonJS on purpose: it runs under bare `node`, without a TypeScript loader,
 * exactly like the bundle runs in Lambda.
 *
 * Module resolution is shaped like Lambda's: the handler sees Node.js built-ins and the files of its own
 * asset (LAMBDA_TASK_ROOT, like /var/task) and nothing else. The host starts this process with no NODE_PATH
 * and the asset as its working directory; `confineModules` below also stops Node's walk up the parent
 * directories (cdk.out sits inside the project, so `require('x')` from an asset would otherwise reach the
 * project's node_modules) and the global folders, for `require` and for `import()` alike.
 *
 * Protocol (process.send / 'message'):
 *   child -> parent  { type: 'ready', initDurationMs } | { type: 'init-error', error }
 *                    { type: 'log', message }            one CloudWatch log event
 *                    { type: 'result', id, ok, payload | error, maxMemoryMb }
 *   parent -> child  { type: 'invoke', id, requestId, event, deadline, invokedFunctionArn }
 */
const path = require('node:path');
const fs = require('node:fs');
const util = require('node:util');
const { pathToFileURL } = require('node:url');

const send = (msg) => {
  if (process.connected) process.send(msg);
};

const jsonFormat = process.env.AWS_LAMBDA_LOG_FORMAT === 'JSON';
let currentRequestId;

// --- log capture -------------------------------------------------------------------------------------------
// Lambda turns every console call into one log event ("<time>\t<requestId>\t<LEVEL>\t<message>"), and every
// line written straight to stdout/stderr (Powertools writes its JSON lines that way) into one event each.

function emit(message) {
  send({ type: 'log', message, timestamp: Date.now() });
}

function consoleLine(level, args) {
  const message = util.format(...args);
  if (jsonFormat) {
    return JSON.stringify({
      timestamp: new Date().toISOString(),
      level,
      requestId: currentRequestId,
      message,
    });
  }
  return `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${message}`;
}

const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
for (const [method, level] of Object.entries(levels)) {
  console[method] = (...args) => emit(consoleLine(level, args));
}

const partial = { stdout: '', stderr: '' };
function captureStream(name) {
  const stream = process[name];
  stream.write = (chunk, encoding, cb) => {
    const text =
      typeof chunk === 'string'
        ? chunk
        : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
    const lines = (partial[name] + text).split('\n');
    partial[name] = lines.pop();
    for (const line of lines) emit(line);
    const callback = typeof encoding === 'function' ? encoding : cb;
    if (callback) process.nextTick(callback);
    return true;
  };
}
captureStream('stdout');
captureStream('stderr');

function flushPartial() {
  for (const name of ['stdout', 'stderr']) {
    if (partial[name]) {
      emit(partial[name]);
      partial[name] = '';
    }
  }
}

// --- errors as Lambda reports them -------------------------------------------------------------------------

function toLambdaError(err) {
  if (err instanceof Error) {
    return {
      errorType: err.name && err.name !== 'Error' ? err.name : err.constructor?.name || 'Error',
      errorMessage: err.message,
      stackTrace: typeof err.stack === 'string' ? err.stack.split('\n') : [],
    };
  }
  if (err && typeof err === 'object') {
    return { errorType: 'object', errorMessage: JSON.stringify(err), stackTrace: [] };
  }
  return { errorType: typeof err, errorMessage: String(err), stackTrace: [] };
}

function logInvokeError(error) {
  const { errorType, errorMessage, stackTrace } = error;
  emit(
    consoleLine('ERROR', [
      'Invoke Error \t%s',
      JSON.stringify({ errorType, errorMessage, stack: stackTrace }),
    ]),
  );
}

// --- Lambda-shaped module resolution -------------------------------------------------------------------------

function insideDir(dir, file) {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * From here on, a module resolves only to a Node.js built-in or to a file inside `root`: whatever Node would
 * have found elsewhere (a parent directory's node_modules, NODE_PATH, ~/.node_modules) is reported as not
 * found, with the message Node gives for a missing module, as Lambda would report it.
 */
function confineModules(root) {
  const Module = require('node:module');
  const realRoot = fs.realpathSync(root);
  Module.globalPaths.length = 0;
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function confinedResolveFilename(request, parent, isMain, options) {
    const filename = resolveFilename.call(this, request, parent, isMain, options);
    if (Module.isBuiltin(filename) || insideDir(realRoot, filename)) return filename;
    const from = parent?.filename ? `\nRequire stack:\n- ${parent.filename}` : '';
    const err = new Error(`Cannot find module '${request}'${from}`);
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  };
  // import() goes through the ES module loader, which has its own resolver: confine it with a resolve hook.
  if (typeof Module.register === 'function') {
    Module.register(pathToFileURL(path.join(__dirname, 'function-resolve-hook.mjs')), {
      data: { root: realRoot },
    });
  }
}

// --- init ----------------------------------------------------------------------------------------------------

async function loadHandler() {
  const root = process.env.LAMBDA_TASK_ROOT;
  const handlerString = process.env._HANDLER || 'index.handler';
  const dot = handlerString.lastIndexOf('.');
  const modulePath = handlerString.slice(0, dot);
  const exportPath = handlerString.slice(dot + 1);
  let file;
  for (const ext of ['.js', '.mjs', '.cjs']) {
    const candidate = path.resolve(root, modulePath + ext);
    if (fs.existsSync(candidate)) {
      file = candidate;
      break;
    }
  }
  if (!file) {
    const e = new Error(`Cannot find module '${modulePath}'`);
    e.name = 'Runtime.ImportModuleError';
    throw e;
  }
  let mod;
  try {
    confineModules(root);
    mod = file.endsWith('.mjs') ? await import(pathToFileURL(file).href) : require(file);
  } catch (err) {
    const e = new Error(`${err instanceof Error ? err.message : String(err)}`);
    e.name = err instanceof SyntaxError ? 'Runtime.UserCodeSyntaxError' : 'Runtime.ImportModuleError';
    e.stack = err instanceof Error ? err.stack : undefined;
    throw e;
  }
  let fn = mod;
  for (const part of exportPath.split('.')) fn = fn == null ? undefined : fn[part];
  if (typeof fn !== 'function' && mod && mod.default) {
    fn = mod.default;
    for (const part of exportPath.split('.')) fn = fn == null ? undefined : fn[part];
  }
  if (typeof fn !== 'function') {
    const e = new Error(`${handlerString} is undefined or not exported`);
    e.name = 'Runtime.HandlerNotFound';
    throw e;
  }
  return fn;
}

function makeContext(msg) {
  const deadline = msg.deadline;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: msg.invokedFunctionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: msg.requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== null && err !== undefined) reject(err);
      else resolve(result);
    };
    context.done = callback;
    context.succeed = (r) => callback(null, r);
    context.fail = (e) => callback(e ?? new Error('handled'));
    try {
      const out = handler(event, context, callback);
      if (out && typeof out.then === 'function')
        out.then(
          (r) => callback(null, r),
          (e) => callback(e),
        );
      else if (handler.length < 3) callback(null, out);
    } catch (err) {
      callback(err);
    }
  });
}

async function main() {
  const started = process.hrtime.bigint();
  let handler;
  try {
    handler = await loadHandler();
  } catch (err) {
    flushPartial();
    const error = toLambdaError(err);
    emit(consoleLine('ERROR', ['Uncaught Exception \t%s', JSON.stringify(error)]));
    send({ type: 'init-error', error });
    return;
  }
  send({ type: 'ready', initDurationMs: Number(process.hrtime.bigint() - started) / 1e6 });

  process.on('message', async (msg) => {
    if (msg?.type !== 'invoke') return;
    currentRequestId = msg.requestId;
    const context = makeContext(msg);
    let reply;
    try {
      const payload = await runHandler(handler, msg.event, context);
      reply = { type: 'result', id: msg.id, ok: true, payload: payload === undefined ? null : payload };
    } catch (err) {
      const error = toLambdaError(err);
      logInvokeError(error);
      reply = { type: 'result', id: msg.id, ok: false, error };
    }
    flushPartial();
    reply.maxMemoryMb = Math.round(process.memoryUsage.rss() / (1024 * 1024));
    try {
      send(reply);
    } catch (err) {
      // a payload that cannot be serialized is a function error, as in Lambda
      send({
        type: 'result',
        id: msg.id,
        ok: false,
        error: { errorType: 'Runtime.MarshalError', errorMessage: String(err), stackTrace: [] },
        maxMemoryMb: reply.maxMemoryMb,
      });
    }
  });
}

process.on('disconnect', () => process.exit(0));
// a normal exit on SIGTERM, so exit hooks (a --cpu-prof profile) still run
process.on('SIGTERM', () => process.exit(0));
main();

/**
 * dynalite in its own process, so table I/O does not compete with the broker and the event-source
 * mappings for the runtime's event loop. Options arrive as JSON in argv[2]; the bound port goes back over
 * IPC; the process exits when its parent disconnects.
 */
const opts = JSON.parse(process.argv[2] || '{}');
const dynalite = require('dynalite');
const server = dynalite({
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
  ...(opts.path ? { path: opts.path } : {}),
});
server.on('error', (err) => {
  process.send?.({ type: 'error', code: err.code, message: err.message });
  process.exit(1);
});
server.listen(opts.port || 0, opts.host || '127.0.0.1', () => {
  process.send?.({ type: 'ready', port: server.address().port });
});
const stop = () => server.close(() => process.exit(0));
process.on('disconnect', stop);
process.on('SIGTERM', stop);

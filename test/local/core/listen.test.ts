/**
 * listen-and-report: port 0 reports the port actually bound, an IPv6 host is bracketed in the URL, a busy
 * port is reported through the caller's error, and closeServer drops kept-alive connections.
 */
import { createServer } from 'node:http';
import { closeServer, httpUrl, listenOn } from '#local/core/listen';

it('binds a free port for 0 and reports it in the URL', async () => {
  const server = createServer((_req, res) => res.end('ok'));
  const bound = await listenOn(server, 0, '127.0.0.1');
  try {
    expect(bound.port).toBeGreaterThan(0);
    expect(bound.url).toBe(`http://127.0.0.1:${bound.port}`);
    const res = await fetch(bound.url, { headers: { connection: 'keep-alive' } });
    expect(await res.text()).toBe('ok');
  } finally {
    await closeServer(server);
  }
  expect(server.listening).toBe(false);
});

it('hands a busy port to the caller for its own error', async () => {
  const first = createServer();
  const { port } = await listenOn(first, 0, '127.0.0.1');
  try {
    const second = createServer();
    await expect(
      listenOn(second, port, '127.0.0.1', (err) => new Error(`port ${port} busy (${err.code})`)),
    ).rejects.toThrow(`port ${port} busy (EADDRINUSE)`);
  } finally {
    await closeServer(first);
  }
});

it('brackets an IPv6 host', () => {
  expect(httpUrl('::1', 3000)).toBe('http://[::1]:3000');
  expect(httpUrl('localhost', 3000)).toBe('http://localhost:3000');
});

import autocannon from 'autocannon';

/**
 * Entry of count.ts's load generator, a process of its own so its work is not counted: on
 * `{ url, requests }` it sends exactly `requests` W1 requests at 64 connections, then reports
 * `{ type: 'done', non2xx, errors }`.
 */
process.on('disconnect', () => process.exit(0));
process.on('message', (m: { url: string; requests: number }) => {
  void autocannon({
    url: `${m.url}/bench/Bench.echo`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"name":"bench"}',
    connections: 64,
    amount: m.requests,
    // Under callgrind the server is ~50× slower than usual: no request may time out.
    timeout: 600,
  }).then((r) => process.send?.({ type: 'done', non2xx: r.non2xx, errors: r.errors + r.timeouts }));
});
process.send?.({ type: 'ready' });

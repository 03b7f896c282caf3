import { createClient } from '@tsmicro/client';
import { createServer, serverStream } from '@tsmicro/server';
import { tcpTransport } from '@tsmicro/transport';
import { checkEncoding } from '@tsmicro/transport/rpc';
import type { ObsMode } from './observability.js';
import type { EchoClient, EchoServer } from './target.js';

/**
 * The echo workloads through tsmicro: `createServer` + `createClient` on `tcpTransport`, every
 * option at its default except the codec, the client calling a direct `address` (no registry,
 * no selection in the hot path). With an {@link ObsMode}, both sides run `allObservability` (OBS rows).
 */

type CodecName = 'json' | 'msgpack';

/**
 * `TSMICRO_BENCH_COMPRESSION=gzip` (or br, deflate, zstd) turns compression on, both sides, with the
 * default 1 KiB threshold: W1 then measures what compression costs calls too small to compress.
 */
const env = process.env.TSMICRO_BENCH_COMPRESSION;
const compression = env ? { compression: { encoding: checkEncoding(env) } } : {};

const contentTypes: Record<CodecName, string> = { json: 'application/json', msgpack: 'application/msgpack' };

// Loaded only by the OBS rows, so the others carry none of pino, prom-client or OpenTelemetry.
const observability = async (obs: ObsMode | undefined) =>
  obs === undefined ? undefined : (await import('./observability.js')).benchObservability(obs);

/** The handler object: `Bench.echo` (W1, W2) and the server stream `Bench.stream` (W4); the `service-` rows serve it too. */
export const bench = {
  echo(req: { name?: string; data?: string }) {
    return req.data !== undefined ? { data: req.data } : { msg: `Hello ${req.name ?? ''}` };
  },
  stream: serverStream(async function* (req: { count: number }) {
    for (let i = 0; i < req.count; i++) yield { i };
  }),
};

/** Serves {@link bench} on a free loopback port; the server answers in the codec each request uses. */
export async function startTsmicroServer(obs?: ObsMode): Promise<EchoServer> {
  const o = await observability(obs);
  const wrappers = o && { handler: o.handler, subscriber: o.subscriber };
  const server = createServer({
    name: 'bench',
    address: '127.0.0.1:0',
    transport: tcpTransport(),
    ...compression,
    ...(wrappers && { wrappers }),
  });
  server.handle('Bench', bench);
  await server.start();
  return { address: server.address, close: () => server.stop() };
}

/**
 * A client pinned to `address`, speaking `codec`. `timeout` bounds each call and each dial (default
 * 10 s and the client's own): pair.js runs it under valgrind, where a dial takes seconds.
 */
export async function connectTsmicro(codec: CodecName, address: string, obs?: ObsMode, timeout?: number): Promise<EchoClient> {
  const o = await observability(obs);
  const wrappers = o && { call: o.call, stream: o.stream, publish: o.publish };
  const client = createClient({
    transport: tcpTransport(),
    contentType: contentTypes[codec],
    ...compression,
    ...(wrappers && { wrappers }),
    ...(timeout === undefined ? {} : { dialTimeout: timeout }),
  });
  const opts = { address, timeout: timeout ?? 10_000 };
  return {
    call: (req) => client.call('bench', 'Bench.echo', req, opts),
    async stream(count, onItem) {
      const s = await client.stream('bench', 'Bench.stream', opts);
      await s.send({ count });
      await s.closeSend();
      for await (const _ of s) onItem();
    },
    close: () => client.close(),
  };
}

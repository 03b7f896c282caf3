import { createServer } from '@tsmicro/server';
import { tcpTransport } from '@tsmicro/transport';
import { checkEncoding, type MuxCompression } from '@tsmicro/transport/rpc';
import { serveUntilStopped } from '../serve-process.js';
import { RECORDS, records } from './records.js';

/**
 * The server process of the wire benches (`BIG`): `node server.js`. Serves `Wire.upload`, which
 * answers the size of the data it was sent (JSON), `Wire.blob`, the same for raw bytes
 * (`application/octet-stream`: no codec work, so only the wire is measured), `Wire.records` (500
 * JSON records, about 64 KiB), `Wire.recordsN` (`{n}` records) and `Wire.ping`; responses compressed
 * with argv[2] (default none), on zlib's thread pool from argv[3] bytes (`asyncFrom`; default the
 * transport's); prints `{"address":…}` on one stdout line once listening; stops on SIGTERM or when stdin closes (the parent died).
 */

const encoding = process.argv[2] === undefined || process.argv[2] === 'identity' ? 'identity' : checkEncoding(process.argv[2]);
const asyncFrom = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
const compression: MuxCompression = asyncFrom === undefined ? { encoding } : { encoding, asyncFrom };
const server = createServer({ name: 'wire', address: '127.0.0.1:0', transport: tcpTransport(), compression });
/** Payloads of `Wire.recordsN`, made once per size. */
const bySize = new Map<number, ReturnType<typeof records>>();
server.handle('Wire', {
  upload: (req: { data: string }) => ({ n: req.data.length }),
  blob: (req: Uint8Array) => Uint8Array.of(req.byteLength & 0xff),
  ping: () => ({ ok: 1 }),
  records: () => RECORDS,
  recordsN: ({ n }: { n: number }) => {
    const made = bySize.get(n) ?? records(n);
    bySize.set(n, made);
    return made;
  },
});
await serveUntilStopped(server);

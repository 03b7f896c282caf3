import * as grpc from '@grpc/grpc-js';
import type { ServerSurfaceCall } from '@grpc/grpc-js/build/src/server-call.js';
import { echoConstructor } from './peers.js';

type Req = { text: string; count: number; failCode: number; delayMs: number };
type Reply = { text: string; metadata?: string[]; n?: number };

/** What the plain grpc-js server saw: metadata of the last call, cancelled calls. */
export interface Seen {
  metadata: grpc.Metadata | undefined;
  cancelled: number;
  calls: number;
}

/** gRPC status the grpc-js server fails with when a request's `failCode` is set (it is a gRPC status here). */
const fail = (code: number) => ({ code, details: `grpc-js failed with status ${code}` });

const ser = (v: unknown) => Buffer.from(JSON.stringify(v));
const de = (b: Buffer) => JSON.parse(b.toString()) as unknown;

/** A unary grpc-js method at `path` whose messages are JSON (served as `application/grpc+json`). */
export function jsonMethod(path: string): grpc.MethodDefinition<unknown, unknown> {
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: ser,
    requestDeserialize: de,
    responseSerialize: ser,
    responseDeserialize: de,
  };
}

function later(ms: number, call: ServerSurfaceCall, fn: () => void): void {
  if (!ms) return void fn();
  const t = setTimeout(fn, ms);
  call.on('cancelled', () => clearTimeout(t));
}

/**
 * A plain grpc-js server of interop.proto's Echo (implementation from the .proto via proto-loader), and
 * a JSON service `tsmicro.interop.v1.Plain/Say` for `application/grpc+json` callers. Plaintext unless
 * given other `credentials`.
 */
export async function grpcJsEchoServer(
  credentials = grpc.ServerCredentials.createInsecure(),
): Promise<{ address: string; seen: Seen; close(): Promise<void> }> {
  const seen: Seen = { metadata: undefined, cancelled: 0, calls: 0 };
  const server = new grpc.Server();
  const track = (call: ServerSurfaceCall) => {
    seen.calls++;
    seen.metadata = call.metadata;
    call.on('cancelled', () => seen.cancelled++);
  };
  server.addService(echoConstructor().service, {
    say(call: grpc.ServerUnaryCall<Req, Reply>, cb: grpc.sendUnaryData<Reply>) {
      track(call);
      const r = call.request;
      later(r.delayMs, call, () => (r.failCode ? cb(fail(r.failCode)) : cb(null, { text: r.text.repeat(Math.max(1, r.count)) })));
    },
    count(call: grpc.ServerWritableStream<Req, Reply>) {
      track(call);
      const r = call.request;
      for (let n = 1; n <= r.count; n++) call.write({ text: r.text, n });
      if (r.failCode) call.emit('error', fail(r.failCode));
      else call.end();
    },
    join(call: grpc.ServerReadableStream<Req, Reply>, cb: grpc.sendUnaryData<Reply>) {
      track(call);
      const parts: string[] = [];
      call.on('data', (r: Req) => parts.push(r.text));
      call.on('end', () => cb(null, { text: parts.join(' '), n: parts.length }));
    },
    chat(call: grpc.ServerDuplexStream<Req, Reply>) {
      track(call);
      let n = 0;
      call.on('data', (r: Req) => call.write({ text: r.text.toUpperCase(), n: ++n }));
      call.on('end', () => call.end());
    },
  });
  server.addService(
    { say: jsonMethod('/tsmicro.interop.v1.Plain/Say') },
    {
      say(call: grpc.ServerUnaryCall<{ text: string }, Reply>, cb: grpc.sendUnaryData<Reply>) {
        track(call);
        cb(null, { text: `json ${call.request.text}` });
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (e, p) => (e ? reject(e) : resolve(p))),
  );
  return {
    address: `grpc://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

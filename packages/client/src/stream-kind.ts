import { badRequest, type MicroError } from '@tsmicro/core';
import type { ServiceRecord } from '@tsmicro/registry';
import { type HandlerKind, registeredKind } from '@tsmicro/transport/rpc';

/** The kinds of endpoint a unary call cannot call. */
export type StreamKind = Exclude<HandlerKind, 'unary'>;

const CALL_INSTEAD: Record<StreamKind, string> = {
  'server-stream':
    'open it with client.stream(service, endpoint), send the one request and closeSend(), then iterate the responses (typed proxy: for await (const r of proxy.Handler.method(req)))',
  'client-stream':
    'open it with client.stream(service, endpoint), send the requests, closeSend(), then read the one response (typed proxy: proxy.Handler.method() gives the stream)',
  'bidi-stream':
    'open it with client.stream(service, endpoint), then send and iterate (typed proxy: proxy.Handler.method() gives the stream)',
};

/** The registered kind of `endpoint` when the records name it a stream, else undefined. */
export function streamKindOf(records: readonly ServiceRecord[] | undefined, endpoint: string): StreamKind | undefined {
  if (!records) return undefined;
  for (const r of records) {
    for (const e of r.endpoints) {
      if (e.name !== endpoint) continue;
      const k = registeredKind(e.metadata);
      return k === 'unary' ? undefined : k;
    }
  }
  return undefined;
}

/**
 * The 400 a unary call to a stream endpoint fails with, before anything is sent: which kind it is and what to call instead.
 * @example throw unaryToStream('greeter.Greeter.count', 'Greeter.count', 'server-stream')
 */
export function unaryToStream(name: string, endpoint: string, kind: StreamKind): MicroError {
  return badRequest(`${endpoint} is a ${kind} endpoint, not unary: client.call cannot call ${name}; ${CALL_INSTEAD[kind]}`);
}

/**
 * The endpoint kind named by an {@link unaryToStream} error detail, or `undefined` for any other detail.
 * @example refusedAsStream(err.detail) === 'server-stream'
 */
export function refusedAsStream(detail: string): StreamKind | undefined {
  const m = / is a (server-stream|client-stream|bidi-stream) endpoint, not unary: /.exec(detail);
  return m ? (m[1] as StreamKind) : undefined;
}

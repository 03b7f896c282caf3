import { badRequest, serviceUnavailable, toMicroError } from '@tsmicro/core';
import { EndpointKeys, H, type HandlerKind, registeredKind, writeMetadata } from '@tsmicro/transport/rpc';
import { unaryCall } from './call-plan.js';
import { chain } from './chain.js';
import type { CallFunc, Client, ClientOptions, PublishFunc, Stream, StreamFunc } from './client.js';
import { encodeRequest } from './encode.js';
import { currentPublishShape } from './legacy-publish.js';
import { type ResolvedClientOptions, resolveClientOptions } from './options.js';
import { createServiceProxy, type KindLookup } from './proxy.js';
import { compressed } from './publish-compression.js';
import { ClientRuntime } from './runtime.js';
import { openStream } from './stream.js';

/**
 * `publish` without wrappers. Not async (an async frame per message cost more than the broker's own
 * publish); a message without metadata shares one frozen header per content type, so brokers can
 * recognise it and reuse what they built from it (natsBroker its NATS headers).
 */
function publisher(c: ResolvedClientOptions): PublishFunc {
  const plainHeaders = new Map<string, Readonly<Record<string, string>>>();
  const plainHeader = (contentType: string) => {
    let h = plainHeaders.get(contentType);
    if (!h) {
      h = Object.freeze({ [H.contentType]: contentType });
      plainHeaders.set(contentType, h);
    }
    return h;
  };
  return (p, o) => {
    try {
      if (!c.broker) throw serviceUnavailable(`cannot publish to ${p.topic}: the client has no broker`);
      const codec = c.codecs.get(o.contentType ?? c.contentType);
      const md = o.metadata;
      let header = plainHeader(codec.contentType) as Record<string, string>;
      if (md !== undefined && hasKeys(md)) {
        header = { [H.contentType]: codec.contentType };
        writeMetadata(header, md);
      }
      const body = encodeRequest(codec, p.payload, `publish to ${p.topic}`);
      const how = o.compression ?? c.compression;
      const broker = c.broker;
      // Compression is asked for per publish or by the client's `compression.publish`; without it the publish stays synchronous.
      if (how === 'identity' || (typeof how === 'object' && how.publish === undefined)) return broker.publish(p.topic, { header, body });
      return compressed(header === plainHeader(codec.contentType) ? { ...header } : header, body, how).then((m) =>
        broker.publish(p.topic, m),
      );
    } catch (e) {
      return Promise.reject(e);
    }
  };
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

/**
 * An RPC client: unary calls with retries on other nodes, streams, publish and typed proxies.
 * See {@link ClientOptions} for the defaults.
 * @example const client = createClient({ transport, registry }); await client.call('greeter', 'Greeter.hello', { name: 'Ada' })
 */
export function createClient(options: ClientOptions = {}): Client {
  const c = resolveClientOptions(options);
  const rt = new ClientRuntime(c);
  const call: CallFunc = chain((r, o) => unaryCall(rt, r.service, r.endpoint, r.body, o), c.callWrappers, true);
  // Converted where `client.stream` awaits it anyway, at no cost per stream.
  const stream: StreamFunc = chain((r, o) => openStream(rt, r.service, r.endpoint, o), c.streamWrappers, false);
  const publish: PublishFunc = chain(publisher(c), c.publishWrappers.map(currentPublishShape), true);

  const learnt = new Map<string, HandlerKind>();
  const kinds: KindLookup = {
    known: (service, endpoint) => learnt.get(`${service}\u0000${endpoint}`),
    learn: (service, endpoint, kind) => learnt.set(`${service}\u0000${endpoint}`, kind),
    async lookup(service, endpoint) {
      const key = `${service}\u0000${endpoint}`;
      const k = learnt.get(key);
      if (k || !c.registry) return k;
      for (const rec of await c.registry.getService(service).catch(() => [])) {
        for (const ep of rec.endpoints) {
          // A record that names no kind teaches nothing (the proxy then decides by the call's shape).
          if (ep.name !== endpoint || ep.metadata[EndpointKeys.kind] === undefined) continue;
          const kind = registeredKind(ep.metadata);
          learnt.set(key, kind);
          return kind;
        }
      }
      return undefined;
    },
  };

  const client: Client = {
    call: <Res>(service: string, endpoint: string, req: unknown, o = {}) => call({ service, endpoint, body: req }, o) as Promise<Res>,
    stream: async <Req, Res>(service: string, endpoint: string, o = {}) => {
      if (!endpoint.includes('.')) throw badRequest(`endpoint '${endpoint}' must be 'Handler.method'`);
      try {
        return (await stream({ service, endpoint }, o)) as Stream<Req, Res>;
      } catch (e) {
        throw toMicroError(e);
      }
    },
    publish: (topic, payload, o = {}) => publish({ topic, payload, options: o }, o),
    service: (name, o = {}) => createServiceProxy(client, kinds, name, o),
    close: () => rt.close(),
  };
  return client;
}

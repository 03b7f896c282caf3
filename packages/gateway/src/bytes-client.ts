import type { CallOptions, Client, PublishOptions, Stream } from '@tsmicro/client';
import { json } from '@tsmicro/codec';
import { GATEWAY_JSON } from './passthrough-codec.js';

/** What the routes call through: JSON bytes in, JSON bytes out, whichever client is behind. */
export interface BytesClient {
  call(service: string, endpoint: string, body: Uint8Array, o: CallOptions): Promise<Uint8Array>;
  stream(service: string, endpoint: string, o: CallOptions): Promise<Stream<Uint8Array, Uint8Array>>;
  publish(topic: string, body: Uint8Array, o: PublishOptions): Promise<void>;
}

/**
 * A request body on its way through a client that may not know {@link gatewayCodec}: a pass-through
 * codec sends these bytes as they are, an ordinary json codec (`JSON.stringify`) asks `toJSON` and
 * gets the parsed value, so either way the service receives the same JSON.
 */
class JsonBytes extends Uint8Array {
  toJSON(): unknown {
    return json.decode(this);
  }
}

/** A view on the same memory (no copy); HTTP bodies live in ordinary ArrayBuffers, never shared ones. */
const asJson = (b: Uint8Array): Uint8Array => new JsonBytes(b.buffer as ArrayBuffer, b.byteOffset, b.byteLength);
/** A reply from a pass-through codec is bytes already; from an ordinary json codec, a value to serialise. */
const toBytes = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : json.encode(v));

/**
 * A ready client, given to the gateway by its owner: every call asks for {@link GATEWAY_JSON}, which
 * passes bytes through when the client has `gatewayCodec`, and otherwise costs one parse and one
 * serialisation per message each way (the answers are the same).
 */
export function sharedClient(c: Client): BytesClient {
  return {
    call: (service, endpoint, body, o) => c.call(service, endpoint, asJson(body), { ...o, contentType: GATEWAY_JSON }).then(toBytes),
    async stream(service, endpoint, o) {
      const s = await c.stream<Uint8Array, unknown>(service, endpoint, { ...o, contentType: GATEWAY_JSON });
      return {
        send: (m) => s.send(asJson(m)),
        closeSend: () => s.closeSend(),
        close: () => s.close(),
        async *[Symbol.asyncIterator]() {
          for await (const m of s) yield toBytes(m);
        },
      };
    },
    publish: (topic, body, o) => c.publish(topic, asJson(body), { ...o, contentType: GATEWAY_JSON }),
  };
}

/** Whether `client` is a ready {@link Client} rather than options for the gateway's own. */
export function isClient(client: object | undefined): client is Client {
  return typeof (client as Partial<Client> | undefined)?.call === 'function' && typeof (client as Partial<Client>).stream === 'function';
}

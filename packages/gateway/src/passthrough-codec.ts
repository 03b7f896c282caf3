import { type Codec, json } from '@tsmicro/codec';

/**
 * A JSON codec that forwards bytes untouched both ways: request bodies arrive as JSON bytes from
 * HTTP and replies leave as JSON bytes, so nothing is parsed and re-serialised per message. The
 * service's own json codec still parses (and drops prototype-reaching keys) on its side. Anything
 * not already bytes (a value the gateway builds itself) is encoded as JSON.
 */
function passthrough(contentType: string): Codec {
  return {
    name: 'json',
    contentType,
    encode: (value) => (value instanceof Uint8Array ? value : json.encode(value)),
    decode: (data) => data,
  };
}

/** The codec of the client the gateway builds itself: it is the only one, so it takes plain `application/json`. */
export const passthroughJson: Codec = passthrough('application/json');

/**
 * The content type of the gateway's calls through a ready client. A server reads it as JSON (the
 * parameter is ignored when no codec is registered for it exactly); a client finds
 * {@link gatewayCodec} under it when it has one, else its ordinary json codec.
 */
export const GATEWAY_JSON = 'application/json; charset=utf-8';

/**
 * Add this codec to a client you share with a gateway (`createGateway({ client })`) so the gateway's
 * calls pass JSON bytes through untouched. It answers only to `application/json; charset=utf-8`, the
 * type the gateway asks for, so the client's other calls keep its ordinary json codec (plain values).
 * @example const client = createClient({ registry, transport: tcpTransport(), codecs: [...defaultCodecs, gatewayCodec] })
 */
export const gatewayCodec: Codec = passthrough(GATEWAY_JSON);

/**
 * The W3 messages. Each stack builds the i-th message the way its users do: byte-level stacks (raw
 * clients, the Broker interface) encode JSON text to bytes with TextEncoder, as nats.js's JSONCodec
 * does; app stacks hand `client.publish` the value and let the client's codec encode it. Warm-up
 * messages carry `w`, so the subscriber can tell them from measured ones (byte 2 of the JSON text).
 */
const encoder = new TextEncoder();

/** The i-th message as bytes. */
export const messageBytes = (i: number, warm: boolean): Uint8Array => encoder.encode(warm ? `{"w":1,"i":${i}}` : `{"i":${i},"t":"tick"}`);

/** The i-th message as the value an app publishes. */
export const messageValue = (i: number, warm: boolean): { w: number; i: number } | { i: number; t: string } =>
  warm ? { w: 1, i } : { i, t: 'tick' };

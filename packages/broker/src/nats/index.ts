/**
 * `@tsmicro/broker/nats` — a `Broker` on NATS (`nats` 2.x, an optional peer dependency
 * loaded on `connect()`; without it `connect()` fails with "install nats to use natsBroker").
 *
 * Mapping, chosen so a stock NATS client and tsmicro interoperate in both directions:
 *
 * - Topics are NATS subjects, 1:1: `orders.eu.created`; in subscriptions `*` is one token and
 *   `>` the rest, which is NATS's own wildcard syntax, so patterns pass through unchanged.
 * - `Message.header` ↔ NATS message headers (HPUB), names as given, one value each (a repeated
 *   NATS header keeps its first value). No headers → a plain PUB. `Message.body` is the NATS
 *   payload, byte for byte: no envelope. Limit: the server's `max_payload` (1 MiB by default)
 *   for body + headers; larger publishes are refused with a 413 naming the limit.
 * - Plain subscribe → core NATS subscription (at-most-once). `queue` → NATS queue group.
 * - `durable` → JetStream, at-least-once. On subscribe the broker finds the stream storing the
 *   topic, or creates `<streamPrefix><topic>_<hash>` (file storage, `streamMaxAge`), or extends
 *   the single `stream` when that option is set. It then creates a durable *pull* consumer named
 *   `durable` (filter = the topic, explicit ack, `ackWait`, deliver-new on first creation).
 *   Every subscriber using the same `durable` name pulls from that one consumer, so they compete
 *   like a queue group; `queue` therefore needs no JetStream deliver group (those exist only
 *   for push consumers). Handler resolves → ack; throws → nak (redelivered after `nakDelay`);
 *   neither within `ackWait` → the server redelivers. Messages published while no subscriber
 *   runs wait in the stream.
 * - Publishing: to a topic no stream stores, a core publish (fire-and-forget, resolved at once:
 *   nats.js batches the writes). To a topic a stream stores (looked up via JetStream on the
 *   first publish, then refreshed in the background every 5 s), with `ackedPublish` (default) a
 *   JetStream publish that waits for the stream's ack, retried with one `Nats-Msg-Id` (so never
 *   stored twice) until `publishTimeout`: a resolved publish is stored, even across a server
 *   restart. Either way a stock `nats pub` to the subject is stored too.
 * - Reconnects: the client reconnects forever by default (`maxReconnectAttempts`); core
 *   subscriptions are re-sent by the client, durable pull loops restart themselves.
 * - `disconnect()` stops every subscription (core ones drain what was already received, durable
 *   ones nak messages pulled ahead), waits for running handlers, then drains the connection.
 */
export { natsBroker } from './broker.js';
export type { NatsBrokerOptions } from './options.js';

/**
 * `@tsmicro/broker/redis` — a `Broker` on Redis (`ioredis`, an optional peer dependency loaded
 * on `connect()`; without it `connect()` fails with "install ioredis to use redisBroker").
 * Standalone Redis ≥ 6.2 (XAUTOCLAIM); not Redis Cluster.
 *
 * Encoding (pub/sub payload, and field `m` of a stream entry):
 *   NUL "tsm1" (5 bytes) | u32 big-endian n | n bytes of JSON headers `{"k":"v"}` | body bytes.
 * A payload without that prefix is a message with no headers and the payload as body, so
 * `redis-cli PUBLISH orders.created '{"id":1}'` reaches a tsmicro subscriber. Larger than
 * `maxMessageSize` (default 4 MiB) once encoded → the publish is refused with 413.
 *
 * Plain subscriptions (no `queue`, no `durable`) → Redis pub/sub, at-most-once: exact topics
 * SUBSCRIBE the topic; wildcard patterns PSUBSCRIBE a glob (`*` and `>` both become `*`) and
 * every message is re-checked with the topic matcher, since a Redis `*` also spans dots.
 *
 * `queue` and `durable` → Redis Streams, at-least-once. The stream is per subscription pattern:
 * key `<keyPrefix>s:<pattern>`; the consumer group is the `durable` name, else the `queue` name
 * (subscribers sharing it compete; several groups on one pattern each get every message).
 * Subscribing adds the pattern to the set `<keyPrefix>patterns` and creates the group at "now".
 * Every publish is one Lua script: PUBLISH, then XADD (`MAXLEN ~ maxLen`, fields `t` = topic,
 * `m` = encoded message) to the stream of each registered pattern matching the topic — so a
 * group misses nothing while its subscribers are down, up to `maxLen` entries. (A raw
 * `XADD <keyPrefix>s:<pattern> * m <payload>` also works; the topic then defaults to the pattern.)
 * Publishes made in one synchronous run (a burst) leave in one socket write: the connection is
 * corked until the next tick, so Redis reads the burst at once; order and replies are unchanged.
 * Each stream subscriber is a group consumer with its own blocking connection (XREADGROUP).
 * Handler resolves → XACK; throws/nack → the entry stays pending and is replayed to this
 * consumer after `nackDelay`; never settled, or its consumer died → after `claimIdle` another
 * (or the same) consumer takes it over with XAUTOCLAIM. Note a handler running longer than
 * `claimIdle` may therefore see its entry delivered elsewhere too.
 *
 * Restarts: connections reconnect forever with backoff, pub/sub subscriptions are re-sent and
 * stream consumers re-register their pattern and group. A publish during an outage waits in the
 * client's queue and either succeeds after reconnect or fails with 503 after `publishTimeout`
 * (never silently dropped by the broker; pub/sub itself only reaches subscribers connected at that
 * moment). Durability across a Redis restart needs Redis persistence (AOF or RDB): without it the
 * streams, groups and pending entries are gone after a restart.
 *
 * `disconnect()` stops every subscription, waits for running handlers (entries read but not yet
 * started stay pending for the group), removes consumers that have nothing pending, then quits.
 */
export { redisBroker } from './broker.js';
export type { RedisBrokerOptions } from './options.js';

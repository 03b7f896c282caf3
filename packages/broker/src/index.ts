export type { Broker, Event, Handler, PublishOptions, SubscribeOptions, Subscriber } from './broker.js';
export { type MemoryBrokerOptions, memoryBroker } from './memory/broker.js';
export { compilePattern, matchTopic, type TopicMatcher, validatePattern, validateTopic } from './topic.js';

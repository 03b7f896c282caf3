export type { Broker, Event, Handler, PublishOptions, SubscribeOptions, Subscriber } from './broker.js';
export { type MemoryBrokerOptions, memoryBroker } from './memory/broker.js';
export { compilePattern, matchTopic, type TopicCheck, type TopicMatcher, topicCheck, validatePattern, validateTopic } from './topic.js';

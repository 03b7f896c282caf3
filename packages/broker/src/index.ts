export type { Broker, Event, Handler, PublishOptions, SubscribeOptions, Subscriber } from './broker.js';

/**
 * The greeter's contract, and nothing else: message types and the handler interface. Both sides
 * depend on this package; the server implements {@link Greeter}, a client imports
 * {@link GreeterApi} with `import type` and gets a typed proxy without any server code.
 * The only import is type-only, so this module compiles to an empty one.
 */
import type { BidiStreamHandler, ClientStreamHandler, ServerStreamHandler, UnaryHandler } from '@tsmicro/client';

/** The name the service registers under. A type, so that importing it costs nothing. */
export type GreeterServiceName = 'greeter';

export interface HelloRequest {
  name: string;
  /** BCP 47 tag; the server answers in English for tags it does not know. */
  lang?: 'en' | 'fr' | 'de';
}
export interface HelloReply {
  message: string;
}
export interface CountdownRequest {
  from: number;
}
export interface Tick {
  n: number;
}
export interface Sample {
  value: number;
}
export interface Stats {
  count: number;
  mean: number;
}
export interface ChatLine {
  text: string;
}

/** One method of each call shape. The stream kinds are part of the contract: an implementation must mark them. */
export interface Greeter {
  hello: UnaryHandler<HelloRequest, HelloReply>;
  countdown: ServerStreamHandler<CountdownRequest, Tick>;
  stats: ClientStreamHandler<Sample, Stats>;
  chat: BidiStreamHandler<ChatLine, ChatLine>;
}

/** Handler names to handler types, the type argument of `client.service<GreeterApi>('greeter')`. */
export interface GreeterApi {
  Greeter: Greeter;
}

/** A service's name and its handler objects by handler name: one value the server serves and whose type a client imports. */
export interface ServiceDefinition<N extends string = string, H extends Record<string, object> = Record<string, object>> {
  readonly name: N;
  readonly handlers: H;
}

/** The handler map of a {@link ServiceDefinition}, or `T` itself when it already is one. */
export type HandlersOf<T> = T extends ServiceDefinition<string, infer H> ? H : T;

/** Anything handlers can be registered on: a `Server` or a `Service`. */
export interface HandlerTarget {
  handle(name: string, handlers: object): void;
}

/**
 * Names a service and its handlers in one value. The server registers it with {@link serve};
 * clients import only its type (`import type`) and get a typed proxy with no server code:
 * `client.service<typeof greeterService>('greeter')`. No run-time cost beyond the object.
 * @example
 * export const greeterService = defineService('greeter', { Greeter: greeter });
 * serve(service, greeterService);                                        // server
 * client.service<typeof greeterService>('greeter').Greeter.hello({ name }) // client
 */
export function defineService<const N extends string, H extends Record<string, object>>(name: N, handlers: H): ServiceDefinition<N, H> {
  return { name, handlers };
}

/** Registers every handler of `def` on `target` (`target.handle(handlerName, handlers)`). */
export function serve(target: HandlerTarget, def: ServiceDefinition): void {
  for (const [name, handlers] of Object.entries(def.handlers)) target.handle(name, handlers);
}

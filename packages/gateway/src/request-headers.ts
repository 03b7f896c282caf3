import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/**
 * A request's headers by lower-case name. Over a socket these are node's own parsed headers, read
 * as they are: a fetch `Headers` validates and normalises the name on every `get`, a dozen times
 * per call.
 */
export type HeaderBag = Readonly<IncomingHttpHeaders>;

/** `incoming.headers` for a request that came over a socket, else a copy of the fetch `Request`'s (`gw.fetch`). */
export function headerBag(req: Request, incoming: IncomingMessage | undefined): HeaderBag {
  if (incoming) return incoming.headers;
  const bag: IncomingHttpHeaders = Object.create(null);
  req.headers.forEach((value, name) => {
    bag[name] = value;
  });
  return bag;
}

/** One header's value; undefined when absent, or when the bag does not hold it as a string (an inherited name such as `constructor`). */
export function header(h: HeaderBag, name: string): string | undefined {
  const v = h[name];
  return typeof v === 'string' ? v : undefined;
}

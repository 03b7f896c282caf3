import type { PublishWrapper } from './client.js';

/**
 * `w` as a publish wrapper of today's shape, `(req, o) => …`. One written before publish took its
 * options as a second argument (`(req) => next(req)`, told apart by taking fewer than two
 * parameters) reads them from `req.options` and hands them on there: it gets a request whose
 * `options` are the current ones, and its `next` takes them from the request when it passes none.
 */
export function currentPublishShape(w: PublishWrapper): PublishWrapper {
  return (next) => {
    const f = w(next);
    if (f.length >= 2) return f;
    const legacy = w((req, o) => next(req, o ?? req.options));
    return (req, o) => legacy(req.options === o ? req : { ...req, options: o }, o);
  };
}

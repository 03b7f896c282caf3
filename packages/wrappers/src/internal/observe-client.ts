import { performance } from 'node:perf_hooks';
import type {
  CallFunc,
  CallOptions,
  CallRequest,
  CallWrapper,
  PublishWrapper,
  Stream,
  StreamFunc,
  StreamRequest,
  StreamWrapper,
} from '@tsmicro/client';
import { emptyMetadata, type Metadata, mergeMetadata } from '@tsmicro/core';
import { requestIdKey } from '../logging/log-part.js';
import type { Series } from '../metrics/family.js';
import type { Started } from '../tracing/trace-part.js';
import { withMetadata } from './options.js';
import { endWith, settleStream } from './outcome.js';
import type { Parts } from './parts.js';

/**
 * One call wrapper running the given parts: a CLIENT span, the `client_*` metrics, a `called` line,
 * with `traceparent` and `x-request-id` added to the call's metadata in one copy. Not an async
 * function: a call costs one `.then` on the call's promise, and the caller gets that promise itself,
 * so the client need not convert its rejection.
 */
export function observeCall(p: Parts): CallWrapper {
  return clientWrapper(p, call);
}

/**
 * The wrapper shape calls and streams share: a CLIENT span when one starts, then `observe`; an
 * untraced call with nothing else to observe goes straight on, the caller's options untouched.
 */
function clientWrapper<Req extends StreamRequest, Res>(
  p: Parts,
  observe: (p: Parts, next: (req: Req, co: CallOptions) => Promise<Res>, req: Req, co: CallOptions, s: Started | undefined) => Promise<Res>,
): (next: (req: Req, co: CallOptions) => Promise<Res>) => (req: Req, co: CallOptions) => Promise<Res> {
  const { trace } = p;
  return (next) => {
    if (!trace) return (req, co) => observe(p, next, req, co, undefined);
    const bare = !p.metrics && !p.log;
    return (req, co) => {
      const s = trace.client(req, co);
      if (s) return trace.run(s, () => observe(p, next, req, co, s));
      return bare ? next(req, co) : observe(p, next, req, co, undefined);
    };
  };
}

function call(p: Parts, next: CallFunc, req: CallRequest, co: CallOptions, s: Started | undefined): Promise<unknown> {
  const c = OutgoingCall.begin(p, req, co, s, false);
  let out: Promise<unknown>;
  try {
    out = next(req, c.options);
  } catch (e) {
    c.end(e);
    return Promise.reject(e);
  }
  return endWith(out, c);
}

/** One stream wrapper running the given parts; the stream's end (last response, error or close) ends its span, metrics and line. */
export function observeStream(p: Parts): StreamWrapper {
  return clientWrapper(p, stream);
}

function stream(
  p: Parts,
  next: StreamFunc,
  req: StreamRequest,
  co: CallOptions,
  s: Started | undefined,
): Promise<Stream<unknown, unknown>> {
  const c = OutgoingCall.begin(p, req, co, s, true);
  let out: Promise<Stream<unknown, unknown>>;
  try {
    out = next(req, c.options);
  } catch (e) {
    c.end(e);
    return Promise.reject(e);
  }
  return Promise.resolve(out).then(
    (st) => settleStream(st, (err) => c.end(err)),
    (e: unknown) => {
      c.end(e);
      throw e;
    },
  );
}

/** A call or stream being observed: the options it goes out with, and what its end needs. */
class OutgoingCall {
  private constructor(
    private readonly p: Parts,
    private readonly req: StreamRequest,
    readonly options: CallOptions,
    private readonly series: Series | undefined,
    private readonly requestId: string | undefined,
    private readonly span: Started | undefined,
    private readonly stream: boolean,
    private readonly start: number,
  ) {}

  /** Counts the call in flight, picks its request id (the caller's, its ctx's, or a fresh one) and starts the clock. */
  static begin(p: Parts, req: StreamRequest, co: CallOptions, s: Started | undefined, stream: boolean): OutgoingCall {
    const series = p.metrics?.client.series(req.service, req.endpoint);
    const known = p.log?.callId(co);
    const fresh = p.log && known === undefined ? p.log.freshId() : undefined;
    const options = outgoing(p, co, s, fresh);
    if (series) series.inFlight++;
    return new OutgoingCall(p, req, options, series, known ?? fresh, s, stream, performance.now());
  }

  /** Innermost part first: the line, the metrics, then the span. */
  end(err: unknown): void {
    const { p, series, span } = this;
    const log = p.log?.keep(err) ? p.log : undefined;
    const ms = series || log ? performance.now() - this.start : 0;
    log?.called(this.req, this.options.address, this.requestId, ms, err, this.stream);
    series?.finish(ms, err);
    if (span) p.trace!.end(span, err);
  }
}

/**
 * The options a call goes out with: the span's context and a fresh request id added to its metadata
 * (in one copy), or the caller's own options when there is nothing to add. An id the caller or its
 * ctx already has needs no adding: the client sends the ctx's metadata too.
 */
function outgoing(p: Parts, co: CallOptions, s: Started | undefined, freshId: string | undefined): CallOptions {
  let md: Metadata | undefined;
  if (s) {
    md = mergeMetadata(co.metadata);
    p.trace!.inject(s, md);
  }
  if (freshId === undefined) return md ? withMetadata(co, md) : co;
  // A merged metadata object: the client takes it as it is, where a plain one would be copied again.
  md ??= co.metadata ? mergeMetadata(co.metadata) : emptyMetadata();
  md[requestIdKey] = freshId;
  return withMetadata(co, md);
}

/** One publish wrapper running the given parts: a PRODUCER span (its context in the message metadata) and `broker_published_total`. */
export function observePublish(p: Parts): PublishWrapper {
  return (next) => (pr, o) => {
    const s = p.trace?.producer(pr.topic);
    const series = p.metrics?.published.series(pr.topic);
    if (!s && !series) return next(pr, o);
    const send = () => {
      if (!s) return next(pr, o);
      const md = mergeMetadata(o.metadata);
      p.trace!.inject(s, md);
      return next(pr, withMetadata(o, md));
    };
    /** Innermost part first: the metrics, then the span. */
    const end = (err: unknown) => {
      series?.end(0, err);
      if (s) p.trace!.end(s, err);
    };
    let out: Promise<void>;
    try {
      out = s ? p.trace!.run(s, send) : send();
    } catch (e) {
      end(e);
      return Promise.reject(e);
    }
    return endWith(out, { end });
  };
}

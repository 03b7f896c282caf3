/** HTTP-like status codes a {@link MicroError} can carry: the closed set of the go-micro error model. */
export const ErrorCode = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Timeout: 408,
  Conflict: 409,
  PayloadTooLarge: 413,
  TooManyRequests: 429,
  Canceled: 499,
  InternalServerError: 500,
  BadGateway: 502,
  ServiceUnavailable: 503,
  GatewayTimeout: 504,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const statusText: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Options shared by every error helper. */
export interface ErrorOptions {
  /** The service the error comes from; a server fills it in when a handler leaves it empty. Default `''`. */
  id?: string;
  /** The underlying error; kept locally, never sent over the wire. */
  cause?: unknown;
}

/**
 * The one error type of tsmicro. It crosses the wire as data (id, code, detail, status) and
 * arrives as a `MicroError` again; stack traces and causes stay on the side that threw.
 * @example throw new MicroError({ code: 404, detail: 'no user 42' })
 */
export class MicroError extends Error {
  /** Name of the service the error comes from. */
  readonly id: string;
  /** HTTP-like status code, see {@link ErrorCode}. */
  readonly code: number;
  /** Human-readable description. */
  readonly detail: string;
  /** Text of the code, e.g. `Not Found`. */
  readonly status: string;

  constructor(o: { code: number; detail: string; id?: string; status?: string; cause?: unknown }) {
    super(o.detail, o.cause === undefined ? undefined : { cause: o.cause });
    this.name = 'MicroError';
    this.id = o.id ?? '';
    this.code = o.code;
    this.detail = o.detail;
    this.status = o.status ?? statusText[o.code] ?? 'Unknown';
  }

  /** A copy carrying `id`, used by servers to stamp their name on errors thrown without one. */
  withId(id: string): MicroError {
    return new MicroError({ id, code: this.code, detail: this.detail, status: this.status, cause: this.cause });
  }

  override toString(): string {
    return `MicroError ${this.code} ${this.status}${this.id ? ` (${this.id})` : ''}: ${this.detail}`;
  }
}

function helper(code: ErrorCode) {
  return (detail: string, o: ErrorOptions = {}): MicroError => new MicroError({ code, detail, ...o });
}

/** 400: the request is malformed or fails validation. */
export const badRequest = helper(ErrorCode.BadRequest);
/** 401: credentials missing or invalid. */
export const unauthorized = helper(ErrorCode.Unauthorized);
/** 403: credentials valid but not allowed. */
export const forbidden = helper(ErrorCode.Forbidden);
/** 404: unknown service, endpoint or resource. */
export const notFound = helper(ErrorCode.NotFound);
/** 408: the call's deadline passed. */
export const timeout = helper(ErrorCode.Timeout);
/** 409: the request conflicts with current state. */
export const conflict = helper(ErrorCode.Conflict);
/** 413: a message larger than the configured limit. */
export const payloadTooLarge = helper(ErrorCode.PayloadTooLarge);
/** 429: a rate limit, bulkhead or budget refused the call. */
export const tooManyRequests = helper(ErrorCode.TooManyRequests);
/** 499: the caller cancelled the call. */
export const canceled = helper(ErrorCode.Canceled);
/** 500: the handler failed. */
export const internalServerError = helper(ErrorCode.InternalServerError);
/**
 * 502: the outcome is unknown. The request was sent, then the answer could not come: the connection
 * was lost, the node stopped answering, or a stopping server cut the handler. The handler may have
 * run, partly or entirely, so the client retries it only for calls marked idempotent.
 * @example throw badGateway('connection to 10.0.0.7:4000 lost after the request was sent: the handler may have run')
 */
export const badGateway = helper(ErrorCode.BadGateway);
/** 503: no node can serve the call now (safe to retry elsewhere). */
export const serviceUnavailable = helper(ErrorCode.ServiceUnavailable);
/** 504: an upstream did not answer in time. */
export const gatewayTimeout = helper(ErrorCode.GatewayTimeout);

/** True for a `MicroError` (also across realms/bundles, by shape). */
export function isMicroError(e: unknown): e is MicroError {
  return (
    e instanceof MicroError ||
    (typeof e === 'object' &&
      e !== null &&
      (e as { name?: unknown }).name === 'MicroError' &&
      typeof (e as { code?: unknown }).code === 'number')
  );
}

/** Any thrown value as a `MicroError`: a `MicroError` passes through, anything else becomes a 500 with its message. */
export function toMicroError(e: unknown, id = ''): MicroError {
  if (e instanceof MicroError) return e.id || !id ? e : e.withId(id);
  if (isMicroError(e)) {
    return new MicroError({ id: e.id || id, code: e.code, detail: e.detail, status: e.status });
  }
  const detail = e instanceof Error ? e.message : String(e);
  return internalServerError(detail || 'unknown error', { id, cause: e });
}

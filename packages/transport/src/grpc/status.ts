import { ErrorCode, MicroError } from '@tsmicro/core';

/** gRPC status codes (grpc/doc/statuscodes.md). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type GrpcStatus = (typeof GrpcStatus)[keyof typeof GrpcStatus];

/** MicroError code → gRPC status (docs/grpc.md, "Errors"). A code not listed becomes UNKNOWN. */
const TO_GRPC: Readonly<Record<number, GrpcStatus>> = {
  [ErrorCode.BadRequest]: GrpcStatus.INVALID_ARGUMENT,
  [ErrorCode.Unauthorized]: GrpcStatus.UNAUTHENTICATED,
  [ErrorCode.Forbidden]: GrpcStatus.PERMISSION_DENIED,
  [ErrorCode.NotFound]: GrpcStatus.NOT_FOUND,
  [ErrorCode.Timeout]: GrpcStatus.DEADLINE_EXCEEDED,
  [ErrorCode.Conflict]: GrpcStatus.ALREADY_EXISTS,
  [ErrorCode.PayloadTooLarge]: GrpcStatus.RESOURCE_EXHAUSTED,
  [ErrorCode.TooManyRequests]: GrpcStatus.RESOURCE_EXHAUSTED,
  [ErrorCode.Canceled]: GrpcStatus.CANCELLED,
  [ErrorCode.InternalServerError]: GrpcStatus.INTERNAL,
  [ErrorCode.ServiceUnavailable]: GrpcStatus.UNAVAILABLE,
  [ErrorCode.GatewayTimeout]: GrpcStatus.DEADLINE_EXCEEDED,
};

/** gRPC status → MicroError code (docs/grpc.md, "Errors"). */
const FROM_GRPC: Readonly<Record<number, ErrorCode>> = {
  [GrpcStatus.CANCELLED]: ErrorCode.Canceled,
  [GrpcStatus.UNKNOWN]: ErrorCode.InternalServerError,
  [GrpcStatus.INVALID_ARGUMENT]: ErrorCode.BadRequest,
  [GrpcStatus.DEADLINE_EXCEEDED]: ErrorCode.Timeout,
  [GrpcStatus.NOT_FOUND]: ErrorCode.NotFound,
  [GrpcStatus.ALREADY_EXISTS]: ErrorCode.Conflict,
  [GrpcStatus.PERMISSION_DENIED]: ErrorCode.Forbidden,
  [GrpcStatus.RESOURCE_EXHAUSTED]: ErrorCode.TooManyRequests,
  [GrpcStatus.FAILED_PRECONDITION]: ErrorCode.BadRequest,
  [GrpcStatus.ABORTED]: ErrorCode.Conflict,
  [GrpcStatus.OUT_OF_RANGE]: ErrorCode.BadRequest,
  [GrpcStatus.UNIMPLEMENTED]: ErrorCode.NotFound,
  [GrpcStatus.INTERNAL]: ErrorCode.InternalServerError,
  [GrpcStatus.UNAVAILABLE]: ErrorCode.ServiceUnavailable,
  [GrpcStatus.DATA_LOSS]: ErrorCode.InternalServerError,
  [GrpcStatus.UNAUTHENTICATED]: ErrorCode.Unauthorized,
};

/** The server's answer to an endpoint it does not have (packages/server dispatch): UNIMPLEMENTED, as gRPC peers expect. */
const NO_ENDPOINT = / has no endpoint '/;
/** How stock servers word an oversize message: a 413, not a 429, so no retry sends it elsewhere. */
const TOO_LARGE = /larger than max|too large/i;

/**
 * The gRPC status of a MicroError: the table in docs/grpc.md; a 404 for an unknown endpoint is UNIMPLEMENTED.
 * @example toGrpcStatus(notFound('no user 42')) // 5 (NOT_FOUND)
 */
export function toGrpcStatus(e: MicroError): GrpcStatus {
  if (e.code === ErrorCode.NotFound && NO_ENDPOINT.test(e.detail)) return GrpcStatus.UNIMPLEMENTED;
  return TO_GRPC[e.code] ?? GrpcStatus.UNKNOWN;
}

/**
 * The MicroError of a non-OK gRPC status and message (the table in docs/grpc.md; an unknown status is a 500).
 * @example fromGrpcStatus(14, 'connection refused').code // 503
 */
export function fromGrpcStatus(status: number, message: string, id = ''): MicroError {
  const code =
    status === GrpcStatus.RESOURCE_EXHAUSTED && TOO_LARGE.test(message)
      ? ErrorCode.PayloadTooLarge
      : (FROM_GRPC[status] ?? ErrorCode.InternalServerError);
  return new MicroError({ id, code, detail: message || `gRPC status ${status}` });
}

/** Percent-encodes a `grpc-message` value (gRPC HTTP/2 spec: printable ASCII except '%' stays). */
export function encodeGrpcMessage(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Decodes a `grpc-message` value; a malformed escape is kept as it is. */
export function decodeGrpcMessage(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const UNIT_MS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };

/** Milliseconds of a `grpc-timeout` header (`100m`, `5S`…); undefined when absent or malformed. */
export function parseGrpcTimeout(v: string | undefined): number | undefined {
  if (!v || v.length < 2 || v.length > 9) return undefined;
  const unit = UNIT_MS[v[v.length - 1] as string];
  const n = Number(v.slice(0, -1));
  if (unit === undefined || !Number.isInteger(n) || n < 0) return undefined;
  return Math.ceil(n * unit);
}

/** A `grpc-timeout` header for `ms` milliseconds (at most 8 digits, as the spec requires). */
export function formatGrpcTimeout(ms: number): string {
  const v = Math.max(0, Math.ceil(ms));
  return v < 1e8 ? `${v}m` : `${Math.min(Math.ceil(v / 1000), 99_999_999)}S`;
}

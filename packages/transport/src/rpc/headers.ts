import { emptyMetadata, type Metadata } from '@tsmicro/core';

/**
 * Header keys of the RPC protocol (go-micro names). Protocol keys start with an upper-case
 * letter; user metadata keys are lower-case, so the two never collide.
 */
export const H = {
  id: 'Micro-Id',
  frame: 'Micro-Frame',
  service: 'Micro-Service',
  endpoint: 'Micro-Endpoint',
  contentType: 'Content-Type',
  error: 'Micro-Error',
  timeout: 'Micro-Timeout',
  window: 'Micro-Window',
  stream: 'Micro-Stream',
  /**
   * `1` on an `error` frame: the server refused the call before any handler ran (stopping, too many
   * calls, unknown endpoint, oversize), so repeating it elsewhere cannot run it twice.
   */
  refused: 'Micro-Refused',
  /**
   * Set by the receiving transport, never sent: the message was over its `maxMessageSize`, this is
   * its header, the value is the body's size, and the body was skipped unread.
   */
  oversize: 'Micro-Oversize',
} as const;

/** Values of the `Micro-Frame` header. See docs/protocol.md, "## RPC". */
export const Frame = {
  /** Client opens a call. Unary: the body is the one request message. With `Micro-Stream: 1`: no message, `data` frames follow. */
  request: 'request',
  /** One message. */
  data: 'data',
  /** One message that is also the sender's last (`data` + `end` in one frame). */
  last: 'last',
  /** The sender will send no more messages. From the server it completes the call. */
  end: 'end',
  /** Server: the call failed; `Micro-Error` holds the error. Completes the call. */
  error: 'error',
  /** Client: abandon the call. Completes the call. */
  cancel: 'cancel',
  /** Flow control: the receiver grants `Micro-Window` more bytes of credit. */
  window: 'window',
  /** Liveness probe on `Micro-Id: 0`; answered with `pong`. */
  ping: 'ping',
  pong: 'pong',
} as const;
export type FrameKind = (typeof Frame)[keyof typeof Frame];

/**
 * Credit, in bytes, each direction of a call starts with (protocol version 2): a sender may send a
 * message while its credit is above 0, and each message spends {@link messageCost} of it. A receiver
 * offering more grants the difference as the call opens (the client's request may say `Micro-Window`).
 */
export const INITIAL_WINDOW = 64 * 1024;

/** Credit a message spends beyond its body, so that empty messages are not free. */
export const MESSAGE_OVERHEAD = 64;

/** Credit one message spends: its body length plus {@link MESSAGE_OVERHEAD}. */
export function messageCost(body: Uint8Array): number {
  return body.byteLength + MESSAGE_OVERHEAD;
}

/** The user metadata of a header: every key that does not start with an upper-case letter. */
export function readMetadata(header: Readonly<Record<string, string>>): Metadata {
  const md = emptyMetadata();
  for (const k in header) {
    const c = k.charCodeAt(0);
    if (c >= 65 && c <= 90) continue;
    const v = header[k];
    if (v !== undefined) md[k] = v;
  }
  return md;
}

/**
 * Copies metadata into a header under construction (keys are expected lower-case already). A key
 * starting upper-case would be a protocol header (or overwrite one): such keys are never copied.
 */
export function writeMetadata(header: Record<string, string>, md: Readonly<Metadata> | undefined): void {
  if (!md) return;
  for (const k in md) {
    const c = k.charCodeAt(0);
    if (c >= 65 && c <= 90) continue;
    const v = md[k];
    if (v === undefined) continue;
    // A header is a plain object: assigning `__proto__` would hit the prototype setter and vanish.
    if (k === '__proto__') Object.defineProperty(header, k, { value: v, enumerable: true, writable: true, configurable: true });
    else header[k] = v;
  }
}

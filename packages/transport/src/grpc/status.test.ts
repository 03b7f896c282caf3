import { badRequest, ErrorCode, MicroError, notFound } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { frameMessage, MessageParser } from './framing.js';
import {
  decodeGrpcMessage,
  encodeGrpcMessage,
  formatGrpcTimeout,
  fromGrpcStatus,
  GrpcStatus,
  parseGrpcTimeout,
  toGrpcStatus,
} from './status.js';

describe('status mapping', () => {
  it('round-trips every MicroError code through its gRPC status where the table is one-to-one', () => {
    for (const code of [400, 401, 403, 404, 408, 409, 499, 500, 503]) {
      expect(fromGrpcStatus(toGrpcStatus(new MicroError({ code, detail: 'x' })), 'x').code).toBe(code);
    }
    expect(toGrpcStatus(notFound("service s has no endpoint 'A.b'"))).toBe(GrpcStatus.UNIMPLEMENTED);
    expect(fromGrpcStatus(GrpcStatus.RESOURCE_EXHAUSTED, 'received message larger than max (5 vs. 4)').code).toBe(
      ErrorCode.PayloadTooLarge,
    );
    expect(fromGrpcStatus(99, '').code).toBe(500);
  });

  it('percent-encodes grpc-message and parses grpc-timeout', () => {
    const s = 'bad % value – ünïcode\n';
    expect(encodeGrpcMessage(s)).not.toMatch(/[^\x20-\x7e]/);
    expect(decodeGrpcMessage(encodeGrpcMessage(s))).toBe(s);
    expect(parseGrpcTimeout('100m')).toBe(100);
    expect(parseGrpcTimeout('2S')).toBe(2000);
    expect(parseGrpcTimeout('1H')).toBe(3_600_000);
    expect(parseGrpcTimeout('1500u')).toBe(2);
    for (const bad of [undefined, '', 'm', '-1m', '1x', '123456789m']) expect(parseGrpcTimeout(bad)).toBeUndefined();
    expect(parseGrpcTimeout(formatGrpcTimeout(1234))).toBe(1234);
    expect(formatGrpcTimeout(1e12)).toMatch(/^\d{1,8}S$/);
  });
});

describe('gRPC message framing', () => {
  it('cuts messages across chunk boundaries, inflates gzip and refuses oversize before buffering', () => {
    const a = frameMessage(Buffer.from('hello'), 'identity', 100);
    const b = frameMessage(Buffer.from('world!'), 'gzip', 100);
    const all = Buffer.concat([a, b]);
    const p = new MessageParser(100, 'gzip');
    const out: string[] = [];
    for (let i = 0; i < all.length; i += 3) for (const m of p.push(all.subarray(i, i + 3))) out.push(Buffer.from(m).toString());
    expect(out).toEqual(['hello', 'world!']);
    // An empty message (proto3, all defaults) is a 5-byte header alone.
    expect(
      new MessageParser(100, 'identity').push(Buffer.concat([frameMessage(new Uint8Array(), 'identity', 100), a])).map((m) => m.length),
    ).toEqual([0, 5]);
    expect(p.partial).toBe(false);
    const big = Buffer.alloc(5);
    big.writeUInt32BE(1_000_000, 1);
    expect(() => new MessageParser(100, 'identity').push(big)).toThrow(expect.objectContaining({ code: 413 }));
    expect(() => frameMessage(Buffer.alloc(101), 'identity', 100)).toThrow(expect.objectContaining({ code: 413 }));
    expect(() => new MessageParser(100, 'identity').push(Buffer.from([7, 0, 0, 0, 0]))).toThrow(
      expect.objectContaining({ code: badRequest('').code }),
    );
  });
});

import { isMergedMetadata } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { describe, expect, it } from 'vitest';
import { accessRules } from './access.js';
import { clientAddress } from './client-address.js';
import { pickEncoding } from './compress.js';
import { createGateway } from './create-gateway.js';
import { requestTimeout } from './deadline.js';
import { metadataFrom } from './metadata.js';
import { clientLimiter } from './rate-limit.js';

describe('gateway parts', () => {
  it('allow/deny: deny wins, Debug needs an allow pattern naming it, bad patterns are refused', () => {
    const r = accessRules(['*', 'ops/Debug.*'], ['*/Admin.*', 'secret']);
    expect(r.endpoint('greeter', 'Greeter.hello')).toBe(true);
    expect(r.endpoint('greeter', 'Debug.stats')).toBe(false);
    expect(r.endpoint('ops', 'Debug.stats')).toBe(true);
    expect(r.endpoint('greeter', 'Admin.drop')).toBe(false);
    expect(r.service('secret')).toBe(false);
    expect(r.service('greeter')).toBe(true);
    const only = accessRules(['greeter/Greeter.*'], []);
    expect(only.endpoint('greeter', 'Greeter.hello')).toBe(true);
    expect(only.endpoint('other', 'Greeter.hello')).toBe(false);
    expect(() => accessRules(['a/b/c'], [])).toThrow(/not 'service' or 'service\/Handler.method'/);
    const all = accessRules(['*'], []);
    expect(all.service('greeter')).toBe(true);
    expect(all.endpoint('greeter', 'Greeter.hello')).toBe(true);
    expect(all.endpoint('greeter', 'Debug.stats')).toBe(false);
  });

  it('reads x-timeout and grpc-timeout, capped, and names a malformed one', () => {
    const h = (o: Record<string, string>) => o;
    expect(requestTimeout(h({}), 1000)).toBeUndefined();
    expect(requestTimeout(h({ 'x-timeout': '250' }), 1000)).toBe(250);
    expect(requestTimeout(h({ 'x-timeout': '5000' }), 1000)).toBe(1000);
    expect(requestTimeout(h({ 'grpc-timeout': '2S' }), 60_000)).toBe(2000);
    expect(requestTimeout(h({ 'grpc-timeout': '1H' }), 60_000)).toBe(60_000);
    expect(requestTimeout(h({ 'grpc-timeout': '1500u' }), 60_000)).toBe(2);
    expect(() => requestTimeout(h({ 'x-timeout': '-1' }), 1000)).toThrow(/x-timeout/);
    expect(() => requestTimeout(h({ 'x-timeout': '1e3' }), 1000)).toThrow(/x-timeout/);
    expect(() => requestTimeout(h({ 'grpc-timeout': '123456789S' }), 1000)).toThrow(/grpc-timeout/);
  });

  it('picks br > gzip > deflate among accepted encodings, honouring q=0', () => {
    expect(pickEncoding(null)).toBeUndefined();
    expect(pickEncoding('gzip, deflate, br')).toBe('br');
    expect(pickEncoding('gzip;q=1, br;q=0')).toBe('gzip');
    expect(pickEncoding('identity')).toBeUndefined();
    expect(pickEncoding('*')).toBe('br');
  });

  it('takes only allow-listed headers as metadata, prototype-free, with a request id and the client address', () => {
    const { metadata, requestId } = metadataFrom(
      { authorization: 'Bearer x', cookie: 'c=1', 'x-client-address': '6.6.6.6' },
      ['authorization', 'constructor'],
      '203.0.113.7',
    );
    // Prototype-free, and marked as merged so the client does not copy it again.
    expect('constructor' in metadata).toBe(false);
    expect(isMergedMetadata(metadata)).toBe(true);
    expect({ ...metadata }).toEqual({ authorization: 'Bearer x', 'x-request-id': requestId, 'x-client-address': '203.0.113.7' });
  });

  it('reads the client address from X-Forwarded-For only as far as trusted proxies wrote it', () => {
    const xff = '198.51.100.9, 203.0.113.7, 10.0.0.2';
    expect(clientAddress(undefined)('10.0.0.1', xff)).toBe('10.0.0.1');
    expect(clientAddress(undefined)('::ffff:10.0.0.1', undefined)).toBe('10.0.0.1');
    expect(clientAddress(undefined)(undefined, xff)).toBe('local');
    expect(clientAddress(0)('10.0.0.1', xff)).toBe('10.0.0.1');
    expect(clientAddress(1)('10.0.0.1', xff)).toBe('10.0.0.2');
    expect(clientAddress(2)('10.0.0.1', xff)).toBe('203.0.113.7');
    expect(clientAddress(9)('10.0.0.1', xff)).toBe('198.51.100.9');
    expect(clientAddress(1)('10.0.0.1', undefined)).toBe('10.0.0.1');
    expect(clientAddress(['10.0.0.0/8'])('10.0.0.1', xff)).toBe('203.0.113.7');
    expect(clientAddress(['10.0.0.1'])('10.0.0.1', xff)).toBe('10.0.0.2');
    expect(clientAddress(['10.0.0.1'])('192.0.2.1', xff)).toBe('192.0.2.1');
    expect(clientAddress(['::1', '10.0.0.0/8'])('::1', '2001:db8::5, 10.1.2.3')).toBe('2001:db8::5');
    // Junk ends the walk at the proxy that passed it on.
    expect(clientAddress(3)('10.0.0.1', 'not-an-ip, 10.0.0.2')).toBe('10.0.0.2');
    expect(() => clientAddress(-1)).toThrow(/trustProxy must be a whole number/);
    expect(() => clientAddress(['10.0.0.0/33'])).toThrow(/not an IP address or CIDR block/);
    expect(() => clientAddress(['proxy.local'])).toThrow(/not an IP address or CIDR block/);
  });

  it('refuses bad options with errors that say what to do', () => {
    const registry = memoryRegistry();
    expect(() => createGateway({ registry, maxBodyBytes: 0 })).toThrow(/maxBodyBytes must be a positive number/);
    expect(() => createGateway({ registry, metadataHeaders: ['__proto__ x'] })).toThrow(/not a header name/);
    expect(() => createGateway({ registry, rateLimit: { rps: -1 } })).toThrow(/rateLimit.rps/);
    expect(() => createGateway({ registry, rateLimit: { rps: 5, burst: 0.5 } })).toThrow(/rateLimit.burst/);
  });

  it('rate limit: a rate under 1/s still lets one request through (the bucket holds at least one token)', () => {
    const slow = clientLimiter({ rps: 0.5 });
    expect(slow.take('a')).toBeUndefined();
    expect(slow.take('a')).toBeGreaterThan(1000);
    expect(slow.take('b')).toBeUndefined();
  });

  it('answers through fetch() without listening, and refuses to listen once closed', async () => {
    const registry = memoryRegistry();
    const gw = createGateway({ registry });
    expect(await (await gw.fetch(new Request('http://gw/healthz'))).json()).toEqual({ status: 'ok' });
    const missing = await gw.fetch(
      new Request('http://gw/nobody/Greeter.hello', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }),
    );
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ id: 'gateway', code: 404, detail: "service 'nobody' is not registered", status: 'Not Found' });
    await gw.close();
    await expect(gw.listen()).rejects.toMatchObject({ code: 503 });
    await registry.close();
  });
});

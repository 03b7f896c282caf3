import { memoryRegistry } from '@tsmicro/registry';
import { describe, expect, it } from 'vitest';
import { accessRules } from './access.js';
import { pickEncoding } from './compress.js';
import { createGateway } from './create-gateway.js';
import { requestTimeout } from './deadline.js';
import { metadataFrom } from './metadata.js';

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
  });

  it('reads x-timeout and grpc-timeout, capped, and names a malformed one', () => {
    const h = (o: Record<string, string>) => new Headers(o);
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

  it('takes only allow-listed headers as metadata, on a null prototype, with a request id', () => {
    const { metadata, requestId } = metadataFrom(new Headers({ authorization: 'Bearer x', cookie: 'c=1' }), ['authorization']);
    expect(Object.getPrototypeOf(metadata)).toBeNull();
    expect({ ...metadata }).toEqual({ authorization: 'Bearer x', 'x-request-id': requestId });
  });

  it('refuses bad options with errors that say what to do', () => {
    const registry = memoryRegistry();
    expect(() => createGateway({ registry, maxBodyBytes: 0 })).toThrow(/maxBodyBytes must be a positive number/);
    expect(() => createGateway({ registry, metadataHeaders: ['__proto__ x'] })).toThrow(/not a header name/);
    expect(() => createGateway({ registry, rateLimit: { rps: -1 } })).toThrow(/rateLimit.rps/);
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

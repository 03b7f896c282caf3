import { afterEach, describe, expect, it } from 'vitest';
import { silentServer } from '../../test/tcp-helpers.js';
import { makeTestPki } from '../../test/tls-certs.js';
import { expectMicroError, msg, runTransportContract, text } from '../testing/index.js';
import type { Socket } from '../transport.js';
import { tcpTransport } from './index.js';
import type { TcpTlsOptions, TcpTransportOptions } from './options.js';

const pki = makeTestPki();

/** One transport per side, as two processes would have: the server's and the client's own keys. */
const serverTls = { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: true };
const clientTls = { key: pki.clientKey, cert: pki.clientCert, ca: pki.ca };

/** A transport that listens with the server identity and dials with the client identity (mutual TLS). */
function mtlsTransport(o: TcpTransportOptions = {}) {
  const server = tcpTransport({ ...o, tls: serverTls });
  const client = tcpTransport({ ...o, tls: clientTls });
  return { name: 'tcp+tls', listen: server.listen, dial: client.dial };
}

runTransportContract({
  name: 'tcp + mutual TLS',
  newTransport: () => mtlsTransport(),
  listenAddress: '127.0.0.1:0',
  unresponsive: () => silentServer('127.0.0.1:0'),
});

describe('tcp transport: TLS', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function server(tls: TcpTlsOptions) {
    const l = await tcpTransport({ tls }).listen('127.0.0.1:0');
    cleanups.push(() => l.close());
    l.accept((s) => {
      void (async () => {
        for await (const m of s) await s.send(m).catch(() => undefined);
      })();
    });
    return l;
  }

  async function echo(s: Socket) {
    cleanups.push(() => s.close());
    await s.send(msg(1, 'over tls'));
    expect(text(await s.recv())).toBe('over tls');
  }

  it('serves plain TLS (no client cert) to a client trusting the CA, by IP and by name', async () => {
    const l = await server({ key: pki.serverKey, cert: pki.serverCert });
    const port = l.address.split(':').pop();
    await echo(await tcpTransport({ tls: { ca: pki.ca } }).dial(l.address));
    await echo(await tcpTransport({ tls: { ca: pki.ca, servername: 'localhost' } }).dial(`localhost:${port}`));
  });

  it('refuses a server whose certificate is signed by an unknown CA', async () => {
    const l = await server({ key: pki.serverKey, cert: pki.serverCert });
    const e = await expectMicroError(tcpTransport({ tls: { ca: pki.otherCa } }).dial(l.address), 503);
    expect(e.detail).toContain(l.address);
  });

  it('refuses a client without a certificate when mutual TLS is required', async () => {
    const l = await server(serverTls);
    const e = await expectMicroError(tcpTransport({ tls: { ca: pki.ca } }).dial(l.address), 503);
    expect(e.detail).toContain(l.address);
  });

  it('refuses a client whose certificate the server CA did not sign', async () => {
    const l = await server({ ...serverTls, ca: pki.otherCa });
    await expectMicroError(tcpTransport({ tls: clientTls }).dial(l.address), 503);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { silentServer } from '../../test/tcp-helpers.js';
import { runTransportContract } from '../testing/index.js';
import { tcpTransport } from './index.js';

runTransportContract({
  name: 'tcp',
  newTransport: () => tcpTransport(),
  listenAddress: '127.0.0.1:0',
  unresponsive: () => silentServer('127.0.0.1:0'),
});

runTransportContract({
  name: 'tcp ipv6',
  newTransport: () => tcpTransport(),
  listenAddress: '[::1]:0',
  unresponsive: () => silentServer('[::1]:0'),
});

const dir = mkdtempSync(join(tmpdir(), 'tsmicro-unix-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const unixAddress = () => `unix:${join(dir, `s${++n}.sock`)}`;
runTransportContract({
  name: 'unix',
  newTransport: () => tcpTransport(),
  listenAddress: unixAddress,
  unresponsive: () => silentServer(unixAddress()),
});

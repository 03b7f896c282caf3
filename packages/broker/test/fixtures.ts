import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { Broker } from '../src/broker.js';

/** The MicroError `p` rejects with; a resolve, or a rejection with anything else, fails the test. */
export { microErrorOf as rejection } from '@tsmicro/core/testing';

/**
 * A factory of connected brokers for one describe block (call it there: it registers an afterEach
 * that disconnects every broker it made, so a failed test leaves no connection behind).
 */
export function connectedBrokers<O>(make: (o?: O) => Broker): (o?: O) => Promise<Broker> {
  const made: Broker[] = [];
  afterEach(async () => {
    await Promise.allSettled(made.splice(0).map((b) => b.disconnect()));
  });
  return async (o) => {
    const b = make(o);
    await b.connect();
    made.push(b);
    return b;
  };
}

/**
 * What a failure suite leaves behind, cleaned after each test (call it in the describe block: it registers
 * the afterEach): the broker under test, and the listener and sockets of {@link silentPort}.
 */
export function failureFixture() {
  let broker: Broker | undefined;
  let silent: Server | undefined;
  const held: Socket[] = [];
  afterEach(async () => {
    await broker?.disconnect();
    broker = undefined;
    for (const s of held.splice(0)) s.destroy();
    await new Promise((r) => (silent ? silent.close(r) : r(undefined)));
    silent = undefined;
  });
  return {
    /** `b`, disconnected after the test. */
    use(b: Broker): Broker {
      broker = b;
      return b;
    },
    /** The port of a loopback server that accepts connections and never says a word (a hung peer). */
    async silentPort(): Promise<number> {
      const s = createServer((c) => held.push(c));
      silent = s;
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      const addr = s.address();
      return typeof addr === 'object' && addr ? addr.port : 0;
    },
  };
}

/** Runs `code` as an ES module in a fresh node from this package (its TypeScript sources), and resolves to its stdout. */
export function runModule(code: string): Promise<string> {
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  return new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', code],
      { cwd, timeout: 15_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

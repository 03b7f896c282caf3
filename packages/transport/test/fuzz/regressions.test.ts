import { setTimeout as sleep } from 'node:timers/promises';
import { isMicroError, timeout } from '@tsmicro/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Deadlines } from '../../src/rpc/deadlines.js';
import { createMux } from '../../src/rpc/mux.js';
import { callScope, raceScope } from '../../src/rpc/scope.js';
import { tcpTransport } from '../../src/tcp/index.js';

/** Bugs the fuzzers found, pinned at the layer where they were fixed (see docs/security.md). */
describe('fuzz regressions', () => {
  const deadlines = new Deadlines();
  const warnings: Error[] = [];
  const rejections: unknown[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  const onRejection = (e: unknown) => rejections.push(e);
  beforeEach(() => {
    warnings.length = 0;
    rejections.length = 0;
    process.on('warning', onWarning);
    process.on('unhandledRejection', onRejection);
  });
  afterEach(() => {
    process.off('warning', onWarning);
    process.off('unhandledRejection', onRejection);
  });

  it('raceScope on an already expired scope does not leave the raced promise to reject unhandled', async () => {
    const scope = callScope({ deadline: Date.now(), onDeadline: () => timeout('late'), deadlines });
    const work = sleep(5).then(() => Promise.reject(new Error('the request body was bad too')));
    await expect(raceScope(work, scope)).rejects.toMatchObject({ code: 408 });
    await sleep(20);
    expect(rejections).toEqual([]);
  });

  it('a deadline beyond the 2^31-1 ms timer range does not fire at once or warn', async () => {
    for (const ms of [2 ** 31, 99_999_999_999_999, 1e308]) {
      const scope = callScope({ deadline: Date.now() + ms, onDeadline: () => timeout('late'), deadlines });
      await sleep(10);
      expect(scope.aborted).toBe(false);
      scope.dispose();
    }
    expect(warnings.map((w) => w.message)).toEqual([]);
  });

  it('an oversize request fails its call with the 413 the transport gave, not a retryable 503', async () => {
    const t = tcpTransport({ maxMessageSize: 1024 });
    const l = await t.listen('127.0.0.1:0');
    l.accept((s) => createMux(s, { onRequest: (st) => void st.sendLast(new Uint8Array(0)) }));
    const mux = createMux(await t.dial(l.address));
    try {
      const { stream, written } = mux.open({}, { body: new Uint8Array(2048) });
      const e = await written.catch((err: unknown) => err);
      expect(isMicroError(e) && e.code).toBe(413);
      await expect(stream.recv()).rejects.toMatchObject({ code: 413 });
      // The connection is fine: the next call goes through.
      const ok = mux.open({}, { body: new Uint8Array(10) });
      await ok.written;
      expect((await ok.stream.recv())?.length).toBe(0);
    } finally {
      await mux.close();
      await l.close();
    }
  });
});

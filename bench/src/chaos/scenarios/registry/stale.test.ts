import { requireServer } from '@tsmicro/core/testing';
import { describe, expect, it } from 'vitest';
import { outageMsFromEnv, staleOutage } from './stale.js';

// etcd.sh installs etcd (and starts the shared one); this test runs its own etcd process on free ports
// and stops only that one.
const etcdUp = await requireServer('etcd', 2379);
/** 8 s here; TSMICRO_OUTAGE_MS=90000 runs the full 90 s (as `pnpm chaos registry-long-outage` does). */
const outageMs = outageMsFromEnv(8000);

describe.runIf(etcdUp)('etcd outage with default settings (own etcd process)', () => {
  it(`calls go on and cache lookups answer from stale records at once while etcd is down ${outageMs} ms`, {
    timeout: outageMs + 90_000,
  }, async () => {
    const f = await staleOutage(outageMs, () => {});
    expect(f.errors).toBe('');
    expect(f.outageFailed + f.afterFailed).toBe(0);
    expect(f.outageOk).toBeGreaterThan(0);
    expect(f.lookups).toBeGreaterThan(outageMs / 100);
    expect(f.lookupP99Ms).toBeLessThan(5);
    // none waited on the dead etcd (its client waits up to 5 s for a connection)
    expect(f.lookupMaxMs).toBeLessThan(1000);
    expect(f.peekMaxMs).toBeLessThan(5);
    expect(f.peekMisses).toBe(0);
  });
});

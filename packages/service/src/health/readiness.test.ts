import { describe, expect, it } from 'vitest';
import { readiness, trackReadiness } from './readiness.js';

describe('readiness', () => {
  it('starts not ready, is ready once marked, not ready once stopping, ready again on a new mark', () => {
    const r = readiness();
    const { isReady } = r; // unbound on purpose: probes take the function alone
    expect([r.state, isReady()]).toEqual(['starting', false]);
    r.markReady();
    expect([r.state, isReady()]).toEqual(['ready', true]);
    r.markStopping();
    expect([r.state, isReady()]).toEqual(['stopping', false]);
    r.markReady();
    expect([r.state, isReady()]).toEqual(['ready', true]);
  });

  it('trackReadiness: ready only after start resolves, stopping before stop begins', async () => {
    const r = readiness();
    const seen: string[] = [];
    const target = {
      label: 'svc',
      async start() {
        seen.push(`start sees ${r.state}`);
      },
      async stop() {
        seen.push(`stop sees ${r.state}`);
      },
    };
    const view = trackReadiness(target, r);
    expect(view.label).toBe('svc');
    await view.start();
    expect(r.state).toBe('ready');
    await view.stop();
    expect(seen).toEqual(['start sees starting', 'stop sees stopping']);
  });
});

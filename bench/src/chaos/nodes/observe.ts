import { isMicroError } from '@tsmicro/core';
import type { Next, Selection, Selector } from '@tsmicro/selector';
import type { NodeTally } from './protocol.js';

/** What the observed selector learns, per node address and per kind of failed attempt. */
export interface Observations {
  nodes: Map<string, NodeTally>;
  attemptErrors: Map<string, number>;
  /** Epoch ms of each address's latest routed attempt (also in `nodes`), for "who got traffic lately". */
  recent(withinMs: number): string[];
  /** Attempts picked for `address` whose outcome is not known yet. */
  inflight(address: string): number;
}

/** A short, stable label for an error: numbers and addresses stripped so kinds can be counted. */
export function errorKind(e: unknown): string {
  const code = isMicroError(e) ? `${e.code} ` : '';
  const text = isMicroError(e) ? e.detail : e instanceof Error ? e.message : String(e);
  return `${code}${text.replace(/\d+(\.\d+)*(:\d+)?/g, '#').replace(/chaos-[0-9a-f-]+/g, 'chaos-…')}`.slice(0, 90);
}

/** Circuit-breaker refusals never reach the node, so they are not "routed". */
const refused = (e: unknown) => isMicroError(e) && e.detail.startsWith('circuit open');

/**
 * Wraps a selector so every `Selection` reports to `Observations`: which node each attempt went to,
 * when, and how it ended. This is the instrument behind "time until no call is routed to the dead node".
 */
export function observeSelector(inner: Selector): { selector: Selector; seen: Observations } {
  const nodes = new Map<string, NodeTally>();
  const attemptErrors = new Map<string, number>();
  const open = new Map<string, number>();
  const tally = (address: string) => {
    let t = nodes.get(address);
    if (!t) {
      t = { routed: 0, ok: 0, failed: 0, lastRouted: 0, okMs: 0 };
      nodes.set(address, t);
    }
    return t;
  };
  /** `next`, reporting each selection; it keeps `nodes` and `records`, which the client reads (how many nodes, endpoint kinds). */
  const observed = (next: Next): Next => {
    const wrapped = (): Selection => {
      const sel = next();
      const at = Date.now();
      const p0 = performance.now();
      const address = sel.node.address;
      open.set(address, (open.get(address) ?? 0) + 1);
      let ended = false;
      return {
        node: sel.node,
        done(result) {
          sel.done(result);
          if (ended) return;
          ended = true;
          open.set(address, (open.get(address) ?? 1) - 1);
          const error = result?.error;
          if (error !== undefined && refused(error)) return;
          const t = tally(sel.node.address);
          t.routed++;
          t.lastRouted = Math.max(t.lastRouted, at);
          if (error === undefined) {
            t.ok++;
            t.okMs += performance.now() - p0;
          }
          if (error !== undefined) {
            t.failed++;
            const k = errorKind(error);
            attemptErrors.set(k, (attemptErrors.get(k) ?? 0) + 1);
          }
        },
      };
    };
    return Object.assign(wrapped, next.nodes && { nodes: next.nodes }, next.records && { records: next.records });
  };
  const selector: Selector = {
    async select(service, o) {
      return observed(await inner.select(service, o));
    },
    // The client's hot path picks without a promise when the nodes are at hand; observed the same.
    selectNow(service, o) {
      const next = inner.selectNow?.(service, o);
      return next && observed(next);
    },
    reset: (service) => inner.reset(service),
    close: () => inner.close(),
  };
  const recent = (withinMs: number) => {
    const since = Date.now() - withinMs;
    return [...nodes].filter(([, t]) => t.lastRouted >= since).map(([a]) => a);
  };
  return { selector, seen: { nodes, attemptErrors, recent, inflight: (address) => open.get(address) ?? 0 } };
}

import type { Client } from '@tsmicro/client';

/** Calls that succeeded and failed during one named phase, as the caller saw them. */
export interface PhaseCount {
  ok: number;
  failed: number;
  /** The first few distinct error messages. */
  errors: string[];
}

export interface CallLoad {
  /** Calls finishing from now on count towards `name`. */
  phase(name: string): void;
  count(name: string): PhaseCount;
  /** First time (performance.now) a reply came from the node tagged `tag`. */
  firstFrom(tag: string): number | undefined;
  /** Stops the workers and waits for their last calls. */
  stop(): Promise<void>;
}

/**
 * `concurrency` workers calling `service` `Echo.ping` back to back until `stop()` or `maxMs`
 * (a hard bound, so the load always ends by itself). Replies carry the tag of the node that served.
 */
export function callLoad(client: Client, service: string, concurrency: number, maxMs: number): CallLoad {
  const phases = new Map<string, PhaseCount>();
  const firstSeen = new Map<string, number>();
  let current = 'warmup';
  let stopped = false;
  const end = Date.now() + maxMs;
  const bucket = (name: string) => {
    let p = phases.get(name);
    if (p === undefined) {
      p = { ok: 0, failed: 0, errors: [] };
      phases.set(name, p);
    }
    return p;
  };
  const worker = async () => {
    while (!stopped && Date.now() < end) {
      try {
        const res = await client.call<{ tag: string }>(service, 'Echo.ping', {}, { timeout: 2000 });
        bucket(current).ok++;
        if (!firstSeen.has(res.tag)) firstSeen.set(res.tag, performance.now());
      } catch (e) {
        const b = bucket(current);
        b.failed++;
        const m = (e as Error).message;
        if (b.errors.length < 3 && !b.errors.includes(m)) b.errors.push(m);
        await new Promise((r) => setTimeout(r, 10)); // no hot loop while every call fails
      }
    }
  };
  const workers = Promise.all(Array.from({ length: concurrency }, worker));
  return {
    phase(name) {
      current = name;
      bucket(name);
    },
    count: (name) => bucket(name),
    firstFrom: (tag) => firstSeen.get(tag),
    async stop() {
      stopped = true;
      await workers;
    },
  };
}

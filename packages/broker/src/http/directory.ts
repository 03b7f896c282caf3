import { type Logger, serviceUnavailable, toMicroError } from '@tsmicro/core';
import type { Registry, ServiceRecord } from '@tsmicro/registry';
import { compilePattern, type TopicMatcher } from '../topic.js';

/** One remote subscription as announced in the registry (one registry node each). */
export interface Target {
  id: string;
  address: string;
  pattern: string;
  queue: string | undefined;
  match: TopicMatcher;
}

/** Registry node metadata keys of a subscription. */
export const META = { topic: 'topic', queue: 'queue', broker: 'broker' } as const;

/**
 * The publisher's view of all subscriptions: fetched from the registry, kept until a watch event
 * says something changed or `cacheTtl` passes, so the hot path (publish) rarely touches the registry.
 */
export class Directory {
  private targets: Target[] = [];
  private validGen = -1;
  private gen = 0;
  private fetchedAt = 0;
  private refreshing: Promise<void> | undefined;
  private watching: AbortController | undefined;

  constructor(
    private readonly registry: Registry,
    private readonly service: string,
    private readonly cacheTtl: number,
    private readonly logger: Logger,
  ) {}

  /** The subscriptions matching `topic`, fresh as of the last registry change we heard of. */
  async lookup(topic: string): Promise<Target[]> {
    this.watch();
    while (this.validGen !== this.gen || Date.now() - this.fetchedAt > this.cacheTtl) {
      this.refreshing ??= this.refresh().finally(() => {
        this.refreshing = undefined;
      });
      await this.refreshing;
    }
    return this.targets.filter((t) => t.match(topic));
  }

  /** Forget the cache: the next lookup asks the registry (after a delivery failure, say). */
  invalidate(): void {
    this.gen++;
  }

  close(): void {
    this.watching?.abort();
    this.watching = undefined;
  }

  private async refresh(): Promise<void> {
    const gen = this.gen;
    let records: ServiceRecord[];
    try {
      records = await this.registry.getService(this.service);
    } catch (err) {
      throw serviceUnavailable(
        `http broker: cannot look up subscribers in the ${this.registry.name} registry: ${toMicroError(err).detail}`,
        {
          cause: err,
        },
      );
    }
    const out: Target[] = [];
    for (const r of records) {
      for (const n of r.nodes) {
        const pattern = n.metadata[META.topic];
        if (pattern === undefined) continue;
        try {
          out.push({ id: n.id, address: n.address, pattern, queue: n.metadata[META.queue], match: compilePattern(pattern) });
        } catch (err) {
          this.logger.warn({ err, node: n.id }, 'http broker: ignoring a subscription with a bad pattern');
        }
      }
    }
    this.targets = out;
    this.fetchedAt = Date.now();
    this.validGen = gen;
  }

  private watch(): void {
    if (this.watching) return;
    const ac = new AbortController();
    this.watching = ac;
    void (async () => {
      try {
        for await (const _ of this.registry.watch({ service: this.service, signal: ac.signal })) this.gen++;
      } catch (err) {
        if (!ac.signal.aborted) this.logger.warn({ err }, 'http broker: registry watch failed; relying on cacheTtl');
      }
      // A watch that ended by itself (registry closed) stays ended: `cacheTtl` alone keeps the cache honest.
    })();
  }
}

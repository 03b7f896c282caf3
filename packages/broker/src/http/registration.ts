import type { Logger } from '@tsmicro/core';
import type { Registry, ServiceNode, ServiceRecord } from '@tsmicro/registry';

/**
 * Keeps this broker's subscriptions announced: one registry node per subscription, registered
 * again every `interval` with `ttl`, so a crashed broker's subscriptions expire on their own.
 */
export class Registration {
  private readonly nodes = new Map<string, ServiceNode>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: { registry: Registry; service: string; ttl: number; interval: number; logger: Logger }) {}

  async add(node: ServiceNode): Promise<void> {
    this.nodes.set(node.id, node);
    await this.o.registry.register(this.record([node]), { ttl: this.o.ttl });
    this.timer ??= setInterval(() => void this.beat(), this.o.interval);
  }

  async remove(id: string): Promise<void> {
    const node = this.nodes.get(id);
    if (!node) return;
    this.nodes.delete(id);
    if (this.nodes.size === 0) this.stop();
    await this.o.registry.deregister(this.record([node]));
  }

  /** Stops the heartbeat and deregisters every node. */
  async close(): Promise<void> {
    this.stop();
    const nodes = [...this.nodes.values()];
    this.nodes.clear();
    if (nodes.length === 0) return;
    try {
      await this.o.registry.deregister(this.record(nodes));
    } catch (err) {
      this.o.logger.warn({ err }, 'http broker: deregistering subscriptions failed; they expire with their ttl');
    }
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async beat(): Promise<void> {
    if (this.nodes.size === 0) return;
    try {
      await this.o.registry.register(this.record([...this.nodes.values()]), { ttl: this.o.ttl });
    } catch (err) {
      this.o.logger.warn({ err }, 'http broker: re-registering subscriptions failed');
    }
  }

  private record(nodes: ServiceNode[]): ServiceRecord {
    return { name: this.o.service, version: 'latest', metadata: {}, endpoints: [], nodes };
  }
}

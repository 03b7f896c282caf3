/** One running instance of a service. */
export interface ServiceNode {
  id: string;
  address: string;
  metadata: Record<string, string>;
}

/** One callable endpoint, e.g. `Greeter.hello`. */
export interface Endpoint {
  name: string;
  metadata: Record<string, string>;
}

/** A service at one version with its nodes. Named so it never clashes with the `Service` facade. */
export interface ServiceRecord {
  name: string;
  version: string;
  metadata: Record<string, string>;
  endpoints: Endpoint[];
  nodes: ServiceNode[];
}

/** What a watcher sees. `service` carries the nodes that changed (all of them for `create`/`update`, the gone ones for `delete`). */
export type WatchEvent = { action: 'create' | 'update' | 'delete'; service: ServiceRecord };

/** Options of `register`. */
export interface RegisterOptions {
  /** Milliseconds a node lives without being registered again. Default: the registry's own (never expires in memory). */
  ttl?: number;
}

/** Options of `watch`. */
export interface WatchOptions {
  /** Only events for this service name. Default: all. */
  service?: string;
  /** Ends the iteration when aborted. */
  signal?: AbortSignal;
}

/** Service discovery. */
export interface Registry {
  readonly name: string;
  /** Adds or refreshes the record's nodes; a node not registered again within `ttl` expires. */
  register(s: ServiceRecord, o?: RegisterOptions): Promise<void>;
  /** Removes the record's nodes at once. */
  deregister(s: ServiceRecord): Promise<void>;
  /** One entry per version; `[]` when unknown. */
  getService(name: string): Promise<ServiceRecord[]>;
  listServices(): Promise<ServiceRecord[]>;
  /** Changes as they happen; ends on `signal` abort or `close()`. */
  watch(o?: WatchOptions): AsyncIterable<WatchEvent>;
  /** Stops timers, watches and connections. Does not deregister. */
  close(): Promise<void>;
}

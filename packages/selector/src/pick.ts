import { type Logger, tooManyRequests } from '@tsmicro/core';
import type { ServiceNode, ServiceRecord } from '@tsmicro/registry';
import {
  available,
  eject,
  maxEjected,
  type NodeHealth,
  newHealth,
  type ResolvedOutlier,
  recordOutcome,
  restore,
  startProbe,
} from './outlier.js';
import type { Next, Selection, SelectionResult } from './selector.js';
import { answered, heardFrom, isSilent, type ResolvedSilence } from './silence.js';

/** What a `Next` needs from the selector to track the nodes it hands out. */
export interface Tracker {
  service: string;
  health: Map<string, NodeHealth>;
  /** Nodes the service has (before filters), for the ejection cap. */
  total(): number;
  logger: Logger;
  outlier: ResolvedOutlier | undefined;
  isFailure: (error: unknown) => boolean;
  alpha: number;
  now: () => number;
  /** Passing over silent nodes; undefined when off. */
  silence: ResolvedSilence | undefined;
}

function healthOf(t: Tracker, id: string, now: number): NodeHealth {
  let h = t.health.get(id);
  if (!h) {
    h = newHealth(now);
    t.health.set(id, h);
  }
  return h;
}

function countEjected(t: Tracker): number {
  let n = 0;
  for (const h of t.health.values()) if (h.ejectedUntil !== 0) n++;
  return n;
}

function finish(t: Tracker, node: ServiceNode, h: NodeHealth, start: number, probe: boolean, stream: boolean, error: unknown): void {
  const now = t.now();
  const failed = t.isFailure(error);
  if (!stream) {
    // Only an answer is news from the node: a failure may be the client giving up on a silent one.
    if (t.silence && answered(error)) heardFrom(h, now, t.alpha, t.silence);
    h.awaiting = Math.max(0, h.awaiting - 1);
  }
  h.inflight = Math.max(0, h.inflight - 1);
  const rtt = Math.max(0, now - start);
  const ewma = h.latency === 0 ? rtt : h.latency + t.alpha * (rtt - h.latency);
  // A failure may not make a node look faster: fast failures would otherwise attract traffic.
  h.latency = failed ? Math.max(h.latency, ewma) : ewma;
  const o = t.outlier;
  if (!o) return;
  if (probe) {
    if (failed) {
      const ms = eject(h, now, o);
      t.logger.warn({ service: t.service, node: node.id, ejectedForMs: ms }, 'probe failed, node ejected again');
    } else {
      restore(h, now);
      t.logger.info({ service: t.service, node: node.id }, 'probe succeeded, node back in service');
    }
    return;
  }
  if (recordOutcome(h, failed, now, o) && countEjected(t) < maxEjected(t.total(), o)) {
    const ms = eject(h, now, o);
    t.logger.warn({ service: t.service, node: node.id, ejectedForMs: ms, failures: h.consecutive }, 'node ejected as an outlier');
  }
}

function selection(t: Tracker, node: ServiceNode, start: number, stream: boolean): Selection {
  const h = healthOf(t, node.id, start);
  // An ejection that is over lets exactly one probe through until its outcome is known.
  const probe = t.outlier !== undefined && h.ejectedUntil !== 0 && start >= h.ejectedUntil;
  if (probe && t.outlier) startProbe(h, start, t.outlier);
  if (!stream) {
    // A node awaiting no answer owes none: its silence counts from its first call.
    if (h.awaiting === 0) h.heard = start;
    h.awaiting++;
  }
  h.inflight++;
  let ended = false;
  return {
    node,
    // No default `{}` for `result`: a success (the common case) allocates nothing here.
    done(result?: SelectionResult) {
      if (ended) return;
      ended = true;
      finish(t, node, h, start, probe, stream, result?.error);
    },
  };
}

/** Whether a node is below the per-node cap on selections in flight. */
function roomOn(t: Tracker, id: string, maxInflight: number): boolean {
  return (t.health.get(id)?.inflight ?? 0) < maxInflight;
}

/** How a node suits a pick: not at all, only when no other does (silent), or well. */
const UNUSABLE = 0;
const QUIET = 1;
const USABLE = 2;

/**
 * Not returned by this `Next` yet, not ejected, and below the per-node cap: USABLE, or QUIET when it
 * also went silent (`hush`: silence is looked at). A plain function: no closure per pick.
 */
function usable(n: ServiceNode, t: Tracker, tried: ReadonlySet<string>, now: number, max: number, hush: boolean): number {
  if (tried.has(n.id)) return UNUSABLE;
  const h = t.health.get(n.id);
  if (h === undefined) return max > 0 ? USABLE : UNUSABLE;
  if (!available(h, now) || h.inflight >= max) return UNUSABLE;
  return hush && isSilent(h, now) ? QUIET : USABLE;
}

/**
 * The first node the picker offers that this `Next` has not returned and that is available, not full
 * and not silent; then a scan; then a silent one that is otherwise usable (silence only ranks nodes).
 */
function attempt(
  nodes: readonly ServiceNode[],
  picker: () => ServiceNode,
  t: Tracker,
  tried: ReadonlySet<string>,
  now: number,
  max: number,
  hush: boolean,
) {
  let quiet: ServiceNode | undefined;
  for (let i = 2 * nodes.length + 16; i > 0; i--) {
    const c = picker();
    const u = usable(c, t, tried, now, max, hush);
    if (u === USABLE) return c;
    if (u === QUIET) quiet ??= c;
  }
  // The picker kept offering used, ejected, full or silent nodes (a random picker near the end): scan.
  for (const n of nodes) {
    const u = usable(n, t, tried, now, max, hush);
    if (u === USABLE) return n;
    if (u === QUIET) quiet ??= n;
  }
  return quiet;
}

/** With no node available: any node with room, ejected or not (ejection is ignored rather than fail); a 429 when all are full. */
function anyWithRoom(nodes: readonly ServiceNode[], picker: () => ServiceNode, t: Tracker, max: number): ServiceNode {
  if (max === Number.POSITIVE_INFINITY) return picker();
  const c = picker();
  if (roomOn(t, c.id, max)) return c;
  for (const n of nodes) if (roomOn(t, n.id, max)) return n;
  throw tooManyRequests(`every node of ${t.service} (${nodes.length}) has ${max} calls in flight from this client, its per-node limit`);
}

/**
 * Wraps a strategy's picker: skips nodes this `Next` already returned, unavailable (ejected) ones and
 * ones at `maxInflight`, passes over silent ones while another node is usable, starts over once every
 * node was returned, and ignores ejection rather than fail when no node is available at all; when
 * every node is at `maxInflight`, throws a 429.
 */
export function createPick(
  nodes: readonly ServiceNode[],
  picker: () => ServiceNode,
  t: Tracker,
  maxInflight?: number,
  records: readonly ServiceRecord[] = [],
  stream = false,
): Next {
  const max = maxInflight ?? Number.POSITIVE_INFINITY;
  // Most calls take one node and never ask again: the set of tried nodes is made on the second ask.
  let firstId: string | undefined;
  let tried: Set<string> | undefined;
  // With one node there is nothing to prefer over a silent one.
  const hush = t.silence !== undefined && nodes.length > 1;
  const next = () => {
    const now = t.now();
    if (firstId === undefined) {
      const node = attempt(nodes, picker, t, NOTHING_TRIED, now, max, hush) ?? anyWithRoom(nodes, picker, t, max);
      firstId = node.id;
      return selection(t, node, now, stream);
    }
    tried ??= new Set([firstId]);
    if (tried.size >= nodes.length) tried.clear();
    let node = attempt(nodes, picker, t, tried, now, max, hush);
    if (!node) {
      // Every available node was returned already: start over; with none available, ignore ejection (never the per-node cap).
      tried.clear();
      node = attempt(nodes, picker, t, tried, now, max, hush) ?? anyWithRoom(nodes, picker, t, max);
    }
    tried.add(node.id);
    return selection(t, node, now, stream);
  };
  // Set in place rather than Object.assign(next, {…}): no object literal per selection.
  const withViews = next as typeof next & { nodes: readonly ServiceNode[]; records: readonly ServiceRecord[] };
  withViews.nodes = nodes;
  withViews.records = records;
  return withViews;
}

/** What the first ask of a `Next` has tried: nothing. Never added to. */
const NOTHING_TRIED: ReadonlySet<string> = new Set();

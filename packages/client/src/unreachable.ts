import { isMicroError, type MicroError, serviceUnavailable } from '@tsmicro/core';
import type { ServiceNode } from '@tsmicro/registry';
import type { Next, Selection, SelectionResult } from '@tsmicro/selector';

/** One failed attempt: which node, and why. */
export interface Failure {
  node: ServiceNode;
  error: unknown;
}

/** A selection whose failure is also written down; one small object per attempt. */
class RecordedSelection implements Selection {
  constructor(
    private readonly sel: Selection,
    private readonly failures: Failure[],
  ) {}

  get node(): ServiceNode {
    return this.sel.node;
  }

  done(result?: SelectionResult): void {
    if (result?.error !== undefined) this.failures.push({ node: this.sel.node, error: result.error });
    this.sel.done(result);
  }
}

/** The attempts of one call: `next` hands out nodes as the selector's does and remembers each failure. */
export interface AttemptLog {
  readonly next: Next;
  /** The call's final error, explained when no node could be reached at all; otherwise unchanged. */
  explain(error: unknown): unknown;
}

const detailOf = (e: unknown) => (isMicroError(e) ? e.detail : e instanceof Error ? e.message : String(e));

/** No server answered: connect errors, lost connections, open circuits are all 503s made on this side. */
const unreachable = (e: unknown) => isMicroError(e) && e.code === 503 && e.id === '';

/**
 * Records the attempts of one call so that, when every node tried was unreachable, the caller learns
 * how many nodes the registry lists, why each tried one failed, and how long a dead node may stay
 * listed (its `register_ttl`), instead of only the last node's connect error.
 * `first`: an attempt that already failed before the log was made (a call plan makes the log only
 * once attempt 0 fails, so a call that succeeds at once allocates none of this).
 * @example const log = attemptLog(service, next); plan.next = log.next; … catch (e) { throw log.explain(e) }
 */
export function attemptLog(service: string, next: Next, first?: Failure): AttemptLog {
  const failures: Failure[] = first ? [first] : [];
  const recorded = (() => new RecordedSelection(next(), failures)) as Next;
  // The retry loop and the call both explain the same final error: the second time it is already explained.
  let explained: unknown;
  return {
    next: recorded,
    explain(error) {
      if (error === explained) return error;
      if (failures.length === 0 || !unreachable(error) || !failures.every((f) => unreachable(f.error))) return error;
      explained = explainUnreachable(service, next.nodes, failures, error as MicroError);
      return explained;
    },
  };
}

function explainUnreachable(service: string, known: readonly ServiceNode[] | undefined, failures: Failure[], last: MicroError): MicroError {
  const tried = new Map<string, string>();
  for (const f of failures) tried.set(f.node.id, `${f.node.id} at ${f.node.address}: ${detailOf(f.error)}`);
  const count = known ? `${known.length} node${known.length === 1 ? '' : 's'} known, ` : '';
  const ttls = (known ?? failures.map((f) => f.node)).map((n) => Number(n.metadata.register_ttl)).filter((n) => n > 0);
  const expiry =
    ttls.length > 0
      ? `a node that died stays registered until its registration expires, at most ${Math.max(...ttls)} ms after its last heartbeat (register_ttl)`
      : 'a node that died stays registered until its registration expires (the registry ttl of its server)';
  const detail = `no node of ${service} could be reached (${count}${tried.size} tried): ${[...tried.values()].join('; ')}; ${expiry}`;
  return serviceUnavailable(detail, { cause: last });
}

import { canceled, isMicroError, type MicroError } from '@tsmicro/core';
import { type CallScope, raceScope } from '@tsmicro/transport/rpc';

/** Why a call's scope aborted, as a MicroError (a bare AbortSignal reason becomes a 499). */
export function abortReason(reason: unknown, name: string): MicroError {
  return isMicroError(reason) ? reason : canceled(`call to ${name} was cancelled`, { cause: reason });
}

/** Rejects with the abort reason once the scope aborts; otherwise settles like `p`. */
export function raceAbort<T>(p: Promise<T>, scope: CallScope, name: string): Promise<T> {
  return raceScope(p, scope, (r) => abortReason(r, name));
}

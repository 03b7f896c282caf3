import { badRequest, ErrorCode, isMicroError } from '@tsmicro/core';

/**
 * Passing over a node that went silent. A stopped or frozen process keeps its sockets open, so calls
 * sent to it are accepted and never answered; a liveness ping can only tell after a safe margin
 * (hundreds of ms), and meanwhile every caller that lands on the node is stuck there. A node whose
 * calls in flight have gone unanswered for much longer than its usual gap between answers is not
 * chosen while another node is available. It is not failed and not ejected: its calls go on, and it
 * is chosen again as soon as it answers.
 */
export interface SilenceOptions {
  /** Silence, as a multiple of the node's usual gap between answers (an EWMA), after which it is passed over. Default 4. */
  factor?: number;
  /** Silence in ms before which a node is never passed over, however fast it usually answers. Default 5. */
  floor?: number;
}

export type ResolvedSilence = Required<SilenceOptions>;

/** Defaults of {@link SilenceOptions}, checked: a bad value is a `badRequest` naming it. */
export function resolveSilence(o: SilenceOptions = {}): ResolvedSilence {
  const factor = o.factor ?? 4;
  const floor = o.floor ?? 5;
  if (!(factor > 0) || !Number.isFinite(factor)) {
    throw badRequest(`selector silence.factor must be a finite number above 0, got ${String(o.factor)}`);
  }
  if (!(floor >= 0) || !Number.isFinite(floor)) {
    throw badRequest(`selector silence.floor must be a finite number of ms, 0 or more, got ${String(o.floor)}`);
  }
  return { factor, floor };
}

/** What silence detection keeps per node (part of the selector's node health). */
export interface Hearing {
  /** Calls on the node awaiting their answer: selections not yet `done()`, streams left out (they may rightly stay quiet). */
  awaiting: number;
  /** When the node last answered, or became busy (its silence is counted from then). */
  heard: number;
  /** EWMA of the gaps between its answers while busy, ms; 0 until measured. */
  gap: number;
  /** Ms of silence with calls in flight past which it is passed over. */
  quietLimit: number;
}

/** Whether the node has calls in flight and has said nothing for longer than it usually does. */
export function isSilent(h: Hearing, now: number): boolean {
  return h.awaiting > 0 && now - h.heard > h.quietLimit;
}

/** The node answered a call at `now`: learns its usual gap. */
export function heardFrom(h: Hearing, now: number, alpha: number, s: ResolvedSilence): void {
  const gap = Math.max(0, now - h.heard);
  h.gap = h.gap === 0 ? gap : h.gap + alpha * (gap - h.gap);
  h.heard = now;
  h.quietLimit = Math.max(s.floor, s.factor * h.gap);
}

/**
 * Whether a call's outcome came from the node: a success or the node's own refusal of the request
 * (4xx). Not a timeout, a cancellation, a lost connection or a 5xx: those may be the client giving up
 * on a node that said nothing.
 */
export function answered(error: unknown): boolean {
  if (error === undefined) return true;
  return (
    isMicroError(error) && error.code >= 400 && error.code < 500 && error.code !== ErrorCode.Timeout && error.code !== ErrorCode.Canceled
  );
}

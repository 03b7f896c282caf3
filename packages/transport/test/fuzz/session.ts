import { setTimeout as sleep } from 'node:timers/promises';
import { Frame, H } from '../../src/rpc/headers.js';
import type { Message, Socket, Transport } from '../../src/transport.js';
import { FuzzFailure } from './targets.js';

/** A good call sent after the hostile frames, on the same connection: the server must still answer it. */
export interface Probe {
  header: Record<string, string>;
  body: Uint8Array;
  /** True when the answer's body is the expected response. */
  check(body: Uint8Array): boolean;
}

/** What the server sent back during one session. */
export interface SessionResult {
  received: Message[];
  /** The server closed the connection (an allowed answer to bad input). */
  closedByServer: boolean;
  /** The probe got its expected answer. */
  probeAnswered: boolean;
}

const PROBE_ID = '4000000000';
const KINDS = new Set<string>(Object.values(Frame));

/**
 * The RPC state-machine fuzz target: dials `address`, sends `frames` as a raw client would, then
 * the probe, and waits (up to `waitMs`) for the probe's answer or the connection to close.
 * Invariants checked: every frame the server sends has an id and a known kind, every `error`
 * frame carries a well-formed `Micro-Error` (JSON with a 4xx/5xx code and a detail), and the
 * server either answers the probe or closes the connection.
 */
export async function runSession(
  t: Transport,
  address: string,
  frames: readonly Message[],
  probe: Probe,
  waitMs = 5000,
  /**
   * Keep reading after the probe's answer until this holds (still within `waitMs`). Calls on one
   * connection may be answered in any order: a later call (the probe) can overtake the answer an
   * earlier hostile frame is owed. Default: stop at the probe's answer.
   */
  until?: (received: readonly Message[]) => boolean,
): Promise<SessionResult> {
  const s: Socket = await t.dial(address, { timeout: waitMs });
  const received: Message[] = [];
  let probeAnswered = false;
  let closedByServer = false;
  let weClosed = false;
  let failure: FuzzFailure | undefined;
  let wake: (() => void) | undefined;
  const reading = (async () => {
    try {
      for await (const m of s) {
        received.push({ header: { ...m.header }, body: Uint8Array.from(m.body) });
        if (m.header[H.id] === PROBE_ID && m.header[H.frame] !== Frame.window) {
          probeAnswered = m.header[H.frame] === Frame.last && probe.check(m.body);
          if (!probeAnswered) {
            failure = new FuzzFailure(`probe answered with ${JSON.stringify(m.header)} ${Buffer.from(m.body).toString()}`);
            break;
          }
        }
        if (probeAnswered && (!until || until(received))) break;
      }
    } catch {
      // The connection failed: same as closed.
    } finally {
      closedByServer = !probeAnswered && !weClosed;
      wake?.();
    }
  })();
  const done = new Promise<void>((resolve) => {
    wake = resolve;
  });
  try {
    for (const f of frames) {
      if (closedByServer) break;
      await s.send(f).catch(() => undefined);
    }
    const header = { ...probe.header, [H.id]: PROBE_ID, [H.frame]: Frame.request };
    if (!closedByServer) await s.send({ header, body: probe.body }).catch(() => undefined);
    const timer = new AbortController();
    await Promise.race([done, sleep(waitMs, undefined, { signal: timer.signal }).catch(() => undefined)]);
    timer.abort();
  } finally {
    weClosed = true;
    await s.close();
  }
  await reading;
  if (failure) throw failure;
  for (const m of received) checkServerFrame(m);
  if (!probeAnswered && !closedByServer) throw new FuzzFailure(`server neither answered the probe nor closed within ${waitMs} ms`);
  return { received, closedByServer, probeAnswered };
}

function checkServerFrame(m: Message): void {
  const id = m.header[H.id];
  const kind = m.header[H.frame];
  if (id === undefined || kind === undefined || !KINDS.has(kind))
    throw new FuzzFailure(`server sent a frame without id or known kind: ${JSON.stringify(m.header)}`);
  if (kind !== Frame.error) return;
  const raw = m.header[H.error] ?? '';
  let e: { code?: unknown; detail?: unknown };
  try {
    e = JSON.parse(raw) as { code?: unknown; detail?: unknown };
  } catch {
    throw new FuzzFailure(`server sent an unreadable Micro-Error: ${raw}`);
  }
  if (typeof e.code !== 'number' || e.code < 400 || e.code > 599 || typeof e.detail !== 'string' || e.detail === '')
    throw new FuzzFailure(`server sent an unclear error: ${raw}`);
}

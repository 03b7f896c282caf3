import { internalServerError, MicroError } from './errors.js';

/**
 * The one place errors become wire data and back. The wire form is the JSON object
 * `{"id","code","detail","status"}` (go-micro's), never a stack or a cause.
 */
export function encodeError(e: MicroError): string {
  return JSON.stringify({ id: e.id, code: e.code, detail: e.detail, status: e.status });
}

/** Parses a wire error; anything unreadable becomes a 500 that says so rather than throwing. */
export function decodeError(s: string): MicroError {
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    return internalServerError(`unreadable error from peer: ${s.slice(0, 200)}`);
  }
  if (typeof v !== 'object' || v === null) return internalServerError(`unreadable error from peer: ${s.slice(0, 200)}`);
  const o = v as Record<string, unknown>;
  const code = typeof o.code === 'number' && Number.isInteger(o.code) ? o.code : 500;
  const detail = typeof o.detail === 'string' ? o.detail : '';
  const id = typeof o.id === 'string' ? o.id : '';
  return typeof o.status === 'string' ? new MicroError({ id, code, detail, status: o.status }) : new MicroError({ id, code, detail });
}

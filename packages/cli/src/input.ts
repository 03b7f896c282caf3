import { createInterface } from 'node:readline';
import type { Metadata } from '@tsmicro/core';
import { usageError } from './failure.js';

const shellHint = `quote it for the shell, e.g. '{"name":"Ada"}'`;

/** `text` parsed as JSON; a usage error (exit 2) naming `where` and what is wrong otherwise. */
export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw usageError(`invalid JSON in ${where}: ${e instanceof Error ? e.message : String(e)}; ${shellHint}`, e);
  }
}

/** All of stdin as text. */
export async function readStdin(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of input) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Whether the body is raw bytes rather than JSON (`application/octet-stream`). */
export const isRaw = (contentType: string | undefined) => contentType?.split(';')[0]?.trim() === 'application/octet-stream';

/**
 * The request body of a call: the `[json]` argument, else stdin when it is not a terminal, else `{}`.
 * With `application/octet-stream` the text is sent as bytes, unparsed.
 */
export async function requestBody(arg: string | undefined, contentType: string | undefined): Promise<unknown> {
  const fromStdin = arg === undefined && process.stdin.isTTY !== true;
  const text = arg ?? (fromStdin ? await readStdin() : '');
  if (isRaw(contentType)) return new TextEncoder().encode(text);
  if (text.trim() === '') return {};
  return parseJson(text, fromStdin ? 'stdin' : 'the request argument');
}

/** Stdin as JSON values, one per non-empty line (`application/octet-stream`: each line as bytes). */
export async function* jsonLines(contentType: string | undefined, input: NodeJS.ReadableStream = process.stdin): AsyncGenerator<unknown> {
  let n = 0;
  for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    n++;
    if (line.trim() === '') continue;
    yield isRaw(contentType) ? new TextEncoder().encode(line) : parseJson(line, `stdin line ${n}`);
  }
}

/** Commander collector for a repeatable `--metadata k=v`. */
export function collectMetadata(kv: string, previous: Metadata = {}): Metadata {
  const at = kv.indexOf('=');
  if (at <= 0) throw usageError(`--metadata takes key=value, got '${kv}'`);
  return { ...previous, [kv.slice(0, at).toLowerCase()]: kv.slice(at + 1) };
}

/** Commander parser for a duration in ms. */
export function parseMs(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw usageError(`${flag} takes a positive number of milliseconds, got '${v}'`);
    return n;
  };
}

/** Commander parser for a positive whole count. */
export function parseCount(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw usageError(`${flag} takes a positive whole number, got '${v}'`);
    return n;
  };
}

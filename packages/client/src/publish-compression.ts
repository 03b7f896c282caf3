import type { Message } from '@tsmicro/transport';
import { checkEncoding, compressBody, DEFAULT_THRESHOLD, ENCODING, type Encoding } from '@tsmicro/transport/rpc';
import type { ClientCompression } from './client.js';

/**
 * A published message, its payload compressed (and `Micro-Encoding` set) when asked for and when
 * that pays: `how` is the publish call's `compression` option or else the client's settings.
 * @example await broker.publish(topic, await compressed(header, body, 'gzip'))
 */
export async function compressed(
  header: Record<string, string>,
  body: Uint8Array,
  how: ClientCompression | Encoding | 'identity',
): Promise<Message> {
  const enc = typeof how === 'string' ? how : (how.publish ?? 'identity');
  if (enc === 'identity') return { header, body };
  const threshold = typeof how === 'string' ? DEFAULT_THRESHOLD : (how.threshold ?? DEFAULT_THRESHOLD);
  const out = await compressBody(checkEncoding(enc), body, threshold);
  if (out === undefined) return { header, body };
  header[ENCODING] = enc;
  return { header, body: out };
}

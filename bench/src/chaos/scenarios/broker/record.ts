import { open } from 'node:fs/promises';

/**
 * Reads a subscriber record file incrementally (see subscriber.ts): per sequence number how often
 * it was handled, and how many subscriber processes reported ready.
 */
export interface RecordTally {
  readonly ready: number;
  /** Records read in total (handled messages, duplicates included). */
  readonly records: number;
  /** How often sequence `seq` was handled. */
  count(seq: number): number;
  /** Reads whatever was appended since the last call. */
  refresh(): Promise<void>;
}

export function recordTally(file: string, n: number): RecordTally {
  const counts = new Uint32Array(n);
  let offset = 0;
  let partial = '';
  let ready = 0;
  let records = 0;
  const chunk = Buffer.alloc(1 << 20);
  return {
    get ready() {
      return ready;
    },
    get records() {
      return records;
    },
    count: (seq) => counts[seq] ?? 0,
    async refresh() {
      const fh = await open(file, 'r');
      try {
        for (;;) {
          const { bytesRead } = await fh.read(chunk, 0, chunk.length, offset);
          if (bytesRead === 0) break;
          offset += bytesRead;
          const lines = (partial + chunk.toString('utf8', 0, bytesRead)).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            if (line.startsWith('ready')) ready++;
            else {
              const seq = Number(line);
              if (Number.isInteger(seq) && seq >= 0 && seq < n) {
                counts[seq] = (counts[seq] ?? 0) + 1;
                records++;
              }
            }
          }
        }
      } finally {
        await fh.close();
      }
    },
  };
}

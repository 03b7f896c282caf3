import { bidiStream, clientStream, serverStream } from '@tsmicro/server';
import type { Greeter } from 'contract-greeter-api';

const greetings = { en: 'Hello', fr: 'Bonjour', de: 'Hallo' } as const;

/**
 * The implementation of the shared {@link Greeter} contract. Annotating it with the interface
 * types every request from the contract and makes a missing method, a wrong response or an
 * unmarked stream a compile error here, on the server, not a surprise at the client.
 */
export const greeter: Greeter = {
  async hello(req) {
    return { message: `${greetings[req.lang ?? 'en']} ${req.name}` };
  },
  countdown: serverStream(async function* (req) {
    for (let n = req.from; n > 0; n--) yield { n };
  }),
  stats: clientStream(async (samples) => {
    let count = 0;
    let sum = 0;
    for await (const s of samples) {
      count++;
      sum += s.value;
    }
    return { count, mean: count === 0 ? 0 : sum / count };
  }),
  chat: bidiStream(async function* (lines) {
    for await (const l of lines) yield { text: l.text.split('').reverse().join('') };
  }),
};

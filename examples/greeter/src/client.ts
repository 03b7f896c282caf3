import { createLogger, type Logger, toMicroError } from '@tsmicro/core';
import { createService } from '@tsmicro/service';
import { logging } from '@tsmicro/wrappers/logging';
import type { GreeterService } from './greeter.js';

/**
 * Finds the greeter through discovery (mDNS by default; or calls `address` when given), calls it in
 * all four shapes, shows one call refused by validation, then publishes an event the greeter answers
 * with another, and asks it for its health and stats. Returns one line per step. Calls are logged through `logger` (failed ones at warn).
 */
export async function runClient(address?: string, logger: Logger = createLogger({ level: 'warn' })): Promise<string[]> {
  const lines: string[] = [];
  const log = logging({ logger });
  const svc = createService({ name: 'greeter-client', logger, wrappers: { call: [log.call], stream: [log.stream] } });
  let thanked!: (e: unknown) => void;
  const thanks = new Promise<unknown>((r) => {
    thanked = r;
  });
  svc.subscribe('greeter.thanked', (payload) => thanked(payload));
  await svc.start();
  try {
    const g = svc.client.service<GreeterService>('greeter', { timeout: 5000, ...(address ? { address } : {}) }).Greeter;

    const hi = await g.hello({ name: 'Ada' });
    lines.push(`unary       hello -> ${hi.message} (from ${hi.from})`);

    // Refused before the handler runs: a 400 listing what is wrong with the request.
    const refused = await g.hello({ name: '' }).then(
      () => 'accepted?!',
      (e: unknown) => `${toMicroError(e).code} ${toMicroError(e).detail}`,
    );
    lines.push(`validation  hello({name:''}) -> ${refused}`);

    const counted: number[] = [];
    for await (const n of g.countdown({ from: 3 })) counted.push(n);
    lines.push(`server-str  countdown -> ${counted.join(', ')}`);

    const sum = g.total();
    for (const n of [1, 2, 3, 4]) await sum.send({ n });
    await sum.closeSend();
    for await (const r of sum) lines.push(`client-str  total of 1..4 -> ${r.total}`);

    const chat = g.chat();
    await chat.send({ text: 'hi' });
    await chat.send({ text: 'bye' });
    await chat.closeSend();
    for await (const r of chat) lines.push(`bidi        chat -> ${r.reply}`);

    await svc.client.publish('greeter.greeted', { name: 'Ada' }, { metadata: { by: 'demo' } });
    lines.push('pub/sub     published greeter.greeted {"name":"Ada"}');
    lines.push(`pub/sub     received greeter.thanked ${JSON.stringify(await thanks)}`);

    // Every service answers Debug.health and Debug.stats; the greeter wrote none of it.
    const to = { timeout: 5000, ...(address ? { address } : {}) };
    const health = await svc.client.call<{ status: string; readiness?: string }>('greeter', 'Debug.health', {}, to);
    const stats = await svc.client.call<{ endpoints: Record<string, { calls: number; errors: number }> }>('greeter', 'Debug.stats', {}, to);
    const hello = stats.endpoints['Greeter.hello'];
    lines.push(
      `debug       health -> ${health.status}, ${health.readiness}; stats -> Greeter.hello calls ${hello?.calls}, errors ${hello?.errors}`,
    );
  } finally {
    await svc.stop();
  }
  return lines;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  for (const line of await runClient(process.argv[2])) process.stdout.write(`${line}\n`);
}

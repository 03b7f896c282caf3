import { createLogger, type Logger } from '@tsmicro/core';
import { createService } from '@tsmicro/service';
import type { GreeterService } from './greeter.js';

/**
 * Finds the greeter through discovery (mDNS by default; or calls `address` when given), calls it in
 * all four shapes, then publishes an event the greeter answers with another. Returns one line per step.
 */
export async function runClient(address?: string, logger: Logger = createLogger({ level: 'warn' })): Promise<string[]> {
  const lines: string[] = [];
  const svc = createService({ name: 'greeter-client', logger });
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
  } finally {
    await svc.stop();
  }
  return lines;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  for (const line of await runClient(process.argv[2])) process.stdout.write(`${line}\n`);
}

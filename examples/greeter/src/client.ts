import { createLogger, type Logger } from '@tsmicro/core';
import { createService } from '@tsmicro/service';
import type { GreeterService } from './greeter.js';

/**
 * Calls the greeter at `address` in all four shapes, then publishes an event and waits for it.
 * Returns one line per thing that happened.
 */
export async function runClient(address: string, logger: Logger = createLogger({ level: 'warn' })): Promise<string[]> {
  const lines: string[] = [];
  // This process's own service: it subscribes to the event it publishes (the memory broker is per process).
  const svc = createService({ name: 'greeter-client', logger });
  let received!: (e: unknown) => void;
  const event = new Promise<unknown>((r) => {
    received = r;
  });
  svc.subscribe('greeter.greeted', (payload) => received(payload));
  await svc.start();
  try {
    const g = svc.client.service<GreeterService>('greeter', { address, timeout: 5000 }).Greeter;

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
    lines.push(`pub/sub     received ${JSON.stringify(await event)}`);
  } finally {
    await svc.stop();
  }
  return lines;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const address = process.argv[2];
  if (!address) {
    process.stderr.write('usage: client.js <server address>\n');
    process.exit(2);
  }
  for (const line of await runClient(address)) process.stdout.write(`${line}\n`);
}

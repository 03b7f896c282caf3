import type { CallOptions, Client } from '@tsmicro/client';
// Types only: erased from the JavaScript, so no server code (nor even the contract module) is loaded.
import type { GreeterApi, GreeterServiceName } from 'contract-greeter-api';

const service: GreeterServiceName = 'greeter';

/** Calls the greeter once in each shape through the typed proxy; one line per result. */
export async function greetAll(client: Client, o: CallOptions = {}): Promise<string[]> {
  const g = client.service<GreeterApi>(service, o).Greeter;
  const lines: string[] = [];

  const hi = await g.hello({ name: 'Ada', lang: 'fr' });
  lines.push(`hello: ${hi.message}`);

  const ticks: number[] = [];
  for await (const t of g.countdown({ from: 3 })) ticks.push(t.n);
  lines.push(`countdown: ${ticks.join(' ')}`);

  const stats = g.stats();
  for (const value of [2, 4, 9]) await stats.send({ value });
  await stats.closeSend();
  for await (const s of stats) lines.push(`stats: ${s.count} samples, mean ${s.mean}`);

  const chat = g.chat();
  await chat.send({ text: 'stressed' });
  await chat.send({ text: 'drawer' });
  await chat.closeSend();
  for await (const l of chat) lines.push(`chat: ${l.text}`);
  return lines;
}

import { startGreeter } from './services.js';

// Serves greeter.proto and calls it in all four shapes, in protobuf, over tcp on 127.0.0.1.
const out = (s: string) => process.stdout.write(`${s}\n`);
const { greeter, close } = await startGreeter();
try {
  out(`hello      ${(await greeter.hello({ name: 'Ada' })).message}`);
  const ticks: number[] = [];
  for await (const t of greeter.countdown({ from: 3 })) ticks.push(t.n);
  out(`countdown  ${ticks.join(' ')}`);
  const sum = greeter.summarize();
  for (const value of [1, 2, 6]) await sum.send({ value });
  await sum.closeSend();
  for await (const s of sum) out(`summarize  ${s.count} samples, mean ${s.mean}`);
  const chat = greeter.chat();
  await chat.send({ text: 'hi' });
  await chat.closeSend();
  for await (const l of chat) out(`chat       ${l.text}`);
} finally {
  await close();
}

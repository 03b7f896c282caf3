import { Greeter } from './gen/greeter_pb.js';
import { protoHandlers } from './proto-service.js';

/** The Greeter service of greeter.proto, every request and response typed from the generated code. */
export const greeter = protoHandlers(Greeter, {
  async hello(req) {
    return { message: `Hello ${req.name}` };
  },
  async *countdown(req) {
    for (let n = req.from; n > 0; n--) yield { n };
  },
  async summarize(samples) {
    let count = 0;
    let sum = 0;
    for await (const s of samples) {
      count++;
      sum += s.value;
    }
    return { count, mean: count === 0 ? 0 : sum / count };
  },
  async *chat(lines) {
    for await (const l of lines) yield { text: l.text.toUpperCase() };
  },
});

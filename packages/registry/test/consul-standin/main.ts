// Runs the Consul stand-in as its own process (tests keep its timers and sockets out of their own
// handle accounting): prints the address as one line, stops on SIGTERM or when stdin closes.
import { startConsulStandin } from './standin.js';

const standin = await startConsulStandin();
process.stdout.write(`${standin.address}\n`);
const stop = () => {
  void standin.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.stdin.on('end', stop).resume();

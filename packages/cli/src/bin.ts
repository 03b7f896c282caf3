#!/usr/bin/env node
import { main } from './main.js';

// `tsmicro … | head` closes the pipe early: that ends the output, it is not a failure.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
await main(process.argv);

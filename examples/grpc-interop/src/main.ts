import { runDemo } from './demo.js';

// `pnpm --filter grpc-interop start`: both directions of gRPC interop, printed.
await runDemo((line) => process.stdout.write(`${line}\n`));

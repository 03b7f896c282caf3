/**
 * The end of a bench server process's entry file: starts `server`, prints `{"address":…}` on one
 * stdout line (what `spawnServer` waits for), and stops it on SIGTERM or when stdin closes (the
 * parent died), then exits.
 * @example await serveUntilStopped(createServer({ name: 'bench', address: '127.0.0.1:0', transport }))
 */
export async function serveUntilStopped(server: {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly address: string;
}): Promise<void> {
  await server.start();
  process.stdout.write(`${JSON.stringify({ address: server.address })}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void server.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
}

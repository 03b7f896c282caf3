/**
 * Makes `n` calls of `call` from `concurrency` closed loops (each awaits its call before the next),
 * as the in-process pairs measured under callgrind do: a fixed count, so Ir(n) − Ir(0) is per call.
 */
export async function closedLoops(call: () => Promise<unknown>, n: number, concurrency: number): Promise<void> {
  let left = n;
  const loop = async () => {
    while (left > 0) {
      left--;
      await call();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
}

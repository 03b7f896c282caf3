import { serviceUnavailable } from '@tsmicro/core';
import type { GatewayDeps } from './deps.js';
import { GATEWAY_ID } from './http-error.js';

/** Ms the registry gets to answer a readiness probe. */
const READY_TIMEOUT_MS = 2000;

/** `GET /readyz`: 200 while the gateway is open and its registry answers within 2 s, else 503. */
export async function readiness(d: GatewayDeps): Promise<Response> {
  if (d.closing.aborted) throw serviceUnavailable('the gateway is closing', { id: GATEWAY_ID });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(serviceUnavailable(`the ${d.source.name} registry did not answer within ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
  });
  try {
    const services = await Promise.race([d.source.listServices(), late]);
    return Response.json({ status: 'ready', registry: d.source.name, services: services.length });
  } catch (e) {
    throw serviceUnavailable(`the ${d.source.name} registry is not reachable: ${(e as Error).message}`, { id: GATEWAY_ID });
  } finally {
    clearTimeout(timer);
  }
}

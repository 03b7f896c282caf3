import { describeService, type EndpointDescription, type ServiceDescription } from '@tsmicro/client';
import { isMicroError, notFound } from '@tsmicro/core';
import type { CliContext } from './context.js';
import { CliFailure } from './failure.js';
import { suggest } from './suggest.js';

/**
 * Every registered version of `name`, described; a 404 listing the registered names it most resembles
 * when the registry does not know it.
 */
export async function findService(ctx: CliContext, name: string): Promise<ServiceDescription[]> {
  try {
    return await describeService(ctx.registry(), name);
  } catch (e) {
    if (!isMicroError(e) || e.code !== 404) throw e;
    const known = (await ctx.registry().listServices()).map((r) => r.name);
    throw new CliFailure(e.withId('tsmicro'), { suggestions: suggest(name, known) });
  }
}

/** The endpoint `endpoint` of any version of the service; a 404 listing the endpoints it most resembles. */
export function findEndpoint(versions: readonly ServiceDescription[], endpoint: string): EndpointDescription {
  for (const v of versions) {
    const e = v.endpoints.find((x) => x.name === endpoint);
    if (e) return e;
  }
  const service = versions[0]?.name ?? '';
  const names = versions.flatMap((v) => v.endpoints.map((e) => e.name));
  const detail = `service '${service}' has no endpoint '${endpoint}' (endpoints are named Handler.method; 'tsmicro describe ${service}' lists them)`;
  throw new CliFailure(notFound(detail, { id: 'tsmicro' }), { suggestions: suggest(endpoint, names) });
}

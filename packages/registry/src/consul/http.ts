import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { MicroError, serviceUnavailable } from '@tsmicro/core';
import type { ResolvedConsulOptions } from './options.js';

export interface ConsulResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** The agent's HTTP API, over a connection pool this registry owns, so `close()` can end every socket. */
export interface ConsulHttp {
  /** `timeout` defaults to the registry's; blocking queries pass their own. Non-2xx answers throw a `MicroError`. */
  call(
    method: 'GET' | 'PUT',
    path: string,
    o?: { query?: Record<string, string>; body?: unknown; signal?: AbortSignal; timeout?: number },
  ): Promise<ConsulResponse>;
  close(): void;
}

export function createConsulHttp(o: ResolvedConsulOptions): ConsulHttp {
  const https = o.address.protocol === 'https:';
  const agent = https ? new HttpsAgent({ keepAlive: true }) : new Agent({ keepAlive: true });
  const base = o.address.href.replace(/\/$/, '');

  return {
    call(method, path, c = {}) {
      const url = new URL(`${base}${path}`);
      for (const [k, v] of Object.entries(c.query ?? {})) url.searchParams.set(k, v);
      const timeout = c.timeout ?? o.timeout;
      const payload = c.body === undefined ? undefined : Buffer.from(JSON.stringify(c.body));
      const headers: Record<string, string> = {};
      if (o.token) headers['x-consul-token'] = o.token;
      if (payload) headers['content-type'] = 'application/json';
      return new Promise<ConsulResponse>((resolve, reject) => {
        const req = (https ? httpsRequest : httpRequest)(
          url,
          { method, agent, headers, timeout, ...(c.signal ? { signal: c.signal } : {}) },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (d: Buffer) => chunks.push(d));
            res.on('error', reject);
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString();
              const status = res.statusCode ?? 0;
              if (status < 200 || status > 299) {
                reject(
                  new MicroError({
                    code: status === 404 ? 404 : 503,
                    detail: `consul registry: ${method} ${path} at ${base} answered ${status}: ${text.trim()}`,
                  }),
                );
                return;
              }
              let body: unknown = text;
              try {
                body = text ? JSON.parse(text) : undefined;
              } catch {
                // some endpoints answer plain text; keep it
              }
              resolve({ status, headers: res.headers, body });
            });
          },
        );
        req.on('timeout', () =>
          req.destroy(serviceUnavailable(`consul registry: no answer from Consul at ${base} to ${method} ${path} within ${timeout} ms`)),
        );
        req.on('error', (e) => {
          if (e instanceof MicroError || e.name === 'AbortError') reject(e);
          else
            reject(serviceUnavailable(`consul registry: cannot reach Consul at ${base} (${method} ${path}): ${e.message}`, { cause: e }));
        });
        req.end(payload);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

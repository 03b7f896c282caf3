import { createServer, type ServerResponse } from 'node:http';

/**
 * A stand-in for a Consul agent's HTTP API, for tests where no Consul can run: node:http on 127.0.0.1,
 * implementing exactly the endpoints consulRegistry uses, with Consul's semantics for them — TTL checks
 * that go critical when not passed in time and are deregistered `DeregisterCriticalServiceAfter` later,
 * `?passing` filtering, and blocking queries (`index`/`wait`, `X-Consul-Index`). Unlike a real agent it
 * takes any `DeregisterCriticalServiceAfter` (Consul raises values under 1 minute to 1 minute) and keeps
 * one index for all data (Consul keeps one per table; clients must accept wake-ups without changes either way).
 * Not a Consul: no catalog of nodes, no ACLs, no datacenters.
 */
export interface ConsulStandin {
  /** `http://127.0.0.1:<port>`, for `consulRegistry({ address })`. */
  readonly address: string;
  close(): Promise<void>;
}

interface Check {
  id: string;
  ttl: number;
  deregisterAfter: number | undefined;
  status: 'passing' | 'critical';
  timer: NodeJS.Timeout | undefined;
}

interface Service {
  ID: string;
  Service: string;
  Tags: string[];
  Address: string;
  Port: number;
  Meta: Record<string, string>;
  check: Check | undefined;
}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration (`"1m30s"`, `"300ms"`) in ms; undefined when malformed. */
export function parseGoDuration(d: string): number | undefined {
  const parts = [...d.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== d) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]!]!, 0);
}

export async function startConsulStandin(): Promise<ConsulStandin> {
  const services = new Map<string, Service>();
  const waiters = new Set<() => void>();
  let index = 1;

  function changed(): void {
    index++;
    for (const wake of [...waiters]) wake();
  }

  function remove(id: string): boolean {
    const s = services.get(id);
    if (!s) return false;
    clearTimeout(s.check?.timer);
    services.delete(id);
    changed();
    return true;
  }

  /** (Re)starts the TTL clock: critical when it runs out, deregistered `deregisterAfter` later. */
  function arm(s: Service, c: Check): void {
    clearTimeout(c.timer);
    c.timer = setTimeout(() => {
      c.status = 'critical';
      changed();
      if (c.deregisterAfter !== undefined) c.timer = setTimeout(() => remove(s.ID), c.deregisterAfter);
    }, c.ttl);
  }

  function register(body: Record<string, unknown>): string | undefined {
    const name = body.Name;
    if (typeof name !== 'string' || !name) return 'Missing service name';
    const id = typeof body.ID === 'string' && body.ID ? body.ID : name;
    const old = services.get(id);
    clearTimeout(old?.check?.timer);
    const s: Service = {
      ID: id,
      Service: name,
      Tags: Array.isArray(body.Tags) ? body.Tags.filter((t): t is string => typeof t === 'string') : [],
      Address: typeof body.Address === 'string' ? body.Address : '',
      Port: typeof body.Port === 'number' ? body.Port : 0,
      Meta: (body.Meta ?? {}) as Record<string, string>,
      check: undefined,
    };
    const chk = body.Check as Record<string, unknown> | undefined;
    if (chk && typeof chk.TTL === 'string') {
      const ttl = parseGoDuration(chk.TTL);
      if (ttl === undefined) return `Invalid check TTL ${chk.TTL}`;
      const dereg =
        typeof chk.DeregisterCriticalServiceAfter === 'string' ? parseGoDuration(chk.DeregisterCriticalServiceAfter) : undefined;
      const c: Check = {
        id: typeof chk.CheckID === 'string' ? chk.CheckID : `service:${id}`,
        ttl,
        deregisterAfter: dereg,
        status: chk.Status === 'passing' ? 'passing' : 'critical',
        timer: undefined,
      };
      s.check = c;
      arm(s, c);
    }
    services.set(id, s);
    changed();
    return undefined;
  }

  const entry = (s: Service) => ({
    Node: { Node: 'consul-standin', Address: '127.0.0.1' },
    Service: { ID: s.ID, Service: s.Service, Tags: s.Tags, Address: s.Address, Port: s.Port, Meta: s.Meta },
    Checks: s.check ? [{ CheckID: s.check.id, Status: s.check.status, ServiceID: s.ID }] : [],
  });

  /** Answers at once, or — for a blocking query whose index is current — when data changes or `wait` passes. */
  function blocking(res: ServerResponse, url: URL, answer: () => unknown): void {
    const send = () => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-consul-index': String(index) });
      res.end(JSON.stringify(answer()));
    };
    const asked = Number(url.searchParams.get('index') ?? 0);
    if (!(asked > 0 && asked >= index)) {
      send();
      return;
    }
    const wait = Math.min(parseGoDuration(url.searchParams.get('wait') ?? '5m') ?? 300_000, 600_000);
    const done = () => {
      clearTimeout(timer);
      waiters.delete(done);
      res.off('close', gone);
      send();
    };
    const gone = () => {
      clearTimeout(timer);
      waiters.delete(done);
    };
    const timer = setTimeout(done, wait);
    waiters.add(done);
    // the response's close, not the request's: a request closes as soon as its body was read
    res.once('close', gone);
  }

  function text(res: ServerResponse, status: number, body = ''): void {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    const path = url.pathname;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const put = req.method === 'PUT';
      const get = req.method === 'GET';
      const param = (re: RegExp) => {
        const m = re.exec(path);
        return m ? decodeURIComponent(m[1]!) : undefined;
      };
      if (put && path === '/v1/agent/service/register') {
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
        } catch {
          return text(res, 400, 'Request decode failed');
        }
        const err = register(body);
        return err ? text(res, 400, err) : text(res, 200);
      }
      const deregister = put ? param(/^\/v1\/agent\/service\/deregister\/(.+)$/) : undefined;
      if (deregister !== undefined) {
        return remove(deregister) ? text(res, 200) : text(res, 404, `Unknown service ID "${deregister}"`);
      }
      const pass = put ? param(/^\/v1\/agent\/check\/pass\/(.+)$/) : undefined;
      if (pass !== undefined) {
        const s = [...services.values()].find((x) => x.check?.id === pass);
        if (!s?.check) return text(res, 404, `Unknown check ID "${pass}"`);
        if (s.check.status !== 'passing') {
          s.check.status = 'passing';
          changed();
        }
        arm(s, s.check);
        return text(res, 200);
      }
      const health = get ? param(/^\/v1\/health\/service\/(.+)$/) : undefined;
      if (health !== undefined) {
        const passing = url.searchParams.has('passing') && !['false', '0'].includes(url.searchParams.get('passing') ?? '');
        return blocking(res, url, () =>
          [...services.values()].filter((s) => s.Service === health && (!passing || s.check?.status !== 'critical')).map(entry),
        );
      }
      if (get && path === '/v1/catalog/services') {
        return blocking(res, url, () => {
          const out: Record<string, string[]> = {};
          for (const s of services.values()) out[s.Service] = [...new Set([...(out[s.Service] ?? []), ...s.Tags])];
          return out;
        });
      }
      text(res, 404, `stand-in: no ${req.method} ${path}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `http://127.0.0.1:${port}`,
    async close() {
      for (const s of services.values()) clearTimeout(s.check?.timer);
      services.clear();
      waiters.clear();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

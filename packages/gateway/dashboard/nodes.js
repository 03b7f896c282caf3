// The nodes table of one service: health and Debug.stats per node, refreshed every 2 s, with a calls/s chart.
// The probes obey the gateway's allow/deny rules: a probe whose Debug endpoint is not in the service's
// (filtered) endpoint list is shown as "not exposed" and never asked.
import { sparkline } from './chart.js';
import { el, ms } from './util.js';

const REFRESH_MS = 2000;

/** Sums the per-endpoint stats of one node (Debug.* itself left out, so probes do not count). */
function totals(stats) {
  let calls = 0;
  let errors = 0;
  let p50;
  let p99;
  for (const [name, s] of Object.entries(stats.endpoints ?? {})) {
    if (name.startsWith('Debug.')) continue;
    calls += s.calls;
    errors += s.errors;
    if (s.p50Ms !== undefined) p50 = Math.max(p50 ?? 0, s.p50Ms);
    if (s.p99Ms !== undefined) p99 = Math.max(p99 ?? 0, s.p99Ms);
  }
  return { calls, errors, p50, p99 };
}

async function probe(service, node, what) {
  const r = await fetch(`/api/services/${encodeURIComponent(service)}/nodes/${encodeURIComponent(node)}/${what}`);
  const body = await r.json();
  if (!r.ok) throw new Error(`${body.code} ${body.detail}`);
  return body;
}

const NOT_EXPOSED = 'not exposed';

function showNotExposed(cell, endpoint, service) {
  cell.className = 'pill off';
  cell.textContent = NOT_EXPOSED;
  cell.title = `${endpoint} is not exposed by this gateway: allow '${service}/Debug.*' (or '*/Debug.*') to see it`;
}

/** Keeps `tbody` in step with the service's nodes; returns `update(nodes, exposed)` and `stop()`. */
export function nodesTable(tbody, service) {
  const rows = new Map();
  // Which probes the gateway exposes for this service ({ health, stats }), from its endpoint list.
  let exposed = { health: false, stats: false };
  const refresh = async (id, row) => {
    if (!exposed.health) showNotExposed(row.cells.health, 'Debug.health', service);
    if (!exposed.stats) {
      showNotExposed(row.cells.calls, 'Debug.stats', service);
      for (const k of ['errors', 'p50', 'p99']) row.cells[k].textContent = '–';
    }
    if (!exposed.health && !exposed.stats) return;
    try {
      const [health, stats] = await Promise.all([
        exposed.health ? probe(service, id, 'health') : undefined,
        exposed.stats ? probe(service, id, 'stats') : undefined,
      ]);
      if (health) {
        row.cells.health.className = `pill ${health.readiness && health.readiness !== 'ready' ? 'warn' : 'ok'}`;
        row.cells.health.textContent = health.readiness ?? health.status;
        row.cells.health.title = '';
      }
      if (!stats) return;
      const t = totals(stats);
      const now = performance.now();
      if (row.last) {
        const rate = Math.max(0, ((t.calls - row.last.calls) * 1000) / (now - row.last.at));
        row.chart.push(rate);
        row.cells.rate.textContent = `${rate < 10 ? rate.toFixed(1) : rate.toFixed(0)}/s`;
      }
      row.last = { calls: t.calls, at: now };
      row.cells.calls.className = '';
      row.cells.calls.title = '';
      row.cells.calls.textContent = String(t.calls);
      row.cells.errors.textContent = String(t.errors);
      row.cells.errors.classList.toggle('bad-text', t.errors > 0);
      row.cells.p50.textContent = ms(t.p50);
      row.cells.p99.textContent = ms(t.p99);
    } catch (e) {
      const cell = exposed.health ? row.cells.health : row.cells.calls;
      cell.className = 'pill bad';
      cell.textContent = 'unreachable';
      cell.title = e.message;
    }
  };
  const timer = setInterval(() => {
    for (const [id, row] of rows) void refresh(id, row);
  }, REFRESH_MS);
  return {
    update(nodes, probes) {
      const was = exposed;
      exposed = probes;
      const ids = new Set(nodes.map((n) => n.id));
      for (const [id, row] of rows) {
        if (!ids.has(id)) {
          row.tr.remove();
          rows.delete(id);
        }
      }
      // The rules stay, but the endpoint list they filter changes as nodes come and go.
      if (was.health !== exposed.health || was.stats !== exposed.stats) for (const [id, row] of rows) void refresh(id, row);
      for (const n of nodes) {
        if (rows.has(n.id)) continue;
        const cells = {};
        for (const k of ['health', 'calls', 'errors', 'p50', 'p99']) cells[k] = el('span', {}, '…');
        cells.rate = el('span', { class: 'rate muted' }, '');
        const chart = sparkline();
        const tr = el(
          'tr',
          { dataset: { node: n.id } },
          el('td', { class: 'mono node-id', title: n.id }, n.id),
          el('td', { class: 'mono muted' }, n.address),
          ...['health', 'calls', 'errors', 'p50', 'p99'].map((k) => el('td', {}, cells[k])),
          el('td', {}, el('div', { class: 'chart' }, chart.canvas, cells.rate)),
        );
        const row = { tr, cells, chart, last: undefined };
        rows.set(n.id, row);
        tbody.append(tr);
        void refresh(n.id, row);
      }
    },
    stop: () => clearInterval(timer),
  };
}

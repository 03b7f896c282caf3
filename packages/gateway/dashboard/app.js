// The dashboard: the registry live over server-sent events, one view per service, the events card.
import { openCall } from './call.js';
import { eventsCard } from './events.js';
import { nodesTable } from './nodes.js';
import { el } from './util.js';

const $ = (sel) => document.querySelector(sel);
const state = { services: new Map(), selected: undefined, view: undefined, info: {} };

/** Merges the per-version descriptions of `GET /api/services` into one entry per service name. */
function byName(list) {
  const out = new Map();
  for (const s of list) {
    const e = out.get(s.name) ?? { name: s.name, versions: [], nodes: [], endpoints: new Map() };
    e.versions.push(s.version);
    e.nodes.push(...s.nodes);
    for (const ep of s.endpoints) if (!e.endpoints.has(ep.name)) e.endpoints.set(ep.name, ep);
    out.set(s.name, e);
  }
  return out;
}

function renderList() {
  const filter = $('#filter').value.trim().toLowerCase();
  const ul = $('#services');
  ul.replaceChildren(
    ...[...state.services.values()]
      .filter((s) => s.name.toLowerCase().includes(filter))
      .map((s) =>
        el(
          'li',
          {},
          el(
            'a',
            {
              href: `#/service/${encodeURIComponent(s.name)}`,
              class: s.name === state.selected ? 'active' : '',
              dataset: { service: s.name },
            },
            el('span', { class: 'name' }, s.name),
            el('span', { class: 'meta' }, `${s.versions.join(', ')} · ${s.nodes.length} node${s.nodes.length === 1 ? '' : 's'}`),
          ),
        ),
      ),
  );
  if (state.info.publish)
    ul.append(
      el(
        'li',
        { class: 'sep' },
        el('a', { href: '#/events', class: state.selected === '#events' ? 'active' : '' }, 'Events: publish and tail'),
      ),
    );
  $('#empty').hidden = state.services.size > 0;
  const nodes = [...state.services.values()].reduce((n, s) => n + s.nodes.length, 0);
  $('#summary').textContent = `${state.services.size} services · ${nodes} nodes · ${state.info.registry ?? ''} registry`;
}

function closeView() {
  state.view?.stop?.();
  state.view = undefined;
}

function showService(name) {
  const s = state.services.get(name);
  const main = $('#main');
  if (!s) {
    closeView();
    main.replaceChildren(
      el(
        'section',
        { class: 'card' },
        el('h2', {}, name),
        el('p', { class: 'muted' }, 'Not registered (any more). It comes back here when a node registers.'),
      ),
    );
    return;
  }
  if (state.view?.name !== name) {
    closeView();
    main.replaceChildren($('#service-view').content.cloneNode(true));
    main.querySelector('.svc-title').textContent = s.name;
    state.view = { name, table: nodesTable(main.querySelector('.nodes tbody'), name), endpointsKey: '' };
    state.view.stop = state.view.table.stop;
  }
  main.querySelector('.versions').textContent = `version ${s.versions.join(', ')}`;
  state.view.table.update(s.nodes, { health: s.endpoints.has('Debug.health'), stats: s.endpoints.has('Debug.stats') });
  const eps = [...s.endpoints.values()];
  const key = eps.map((e) => `${e.name}:${e.kind}`).join();
  if (key === state.view.endpointsKey) return;
  state.view.endpointsKey = key;
  main
    .querySelector('.endpoints')
    .replaceChildren(
      ...eps.map((e) =>
        el(
          'button',
          { type: 'button', class: 'endpoint', dataset: { endpoint: e.name }, onclick: () => openCall(main, s.name, e) },
          el('code', {}, e.name),
          el('span', { class: `pill kind ${e.kind}` }, e.kind),
          e.requestSchema ? el('span', { class: 'pill schema', title: 'request schema registered' }, 'schema') : undefined,
        ),
      ),
    );
}

function showEvents() {
  closeView();
  const main = $('#main');
  main.replaceChildren($('#events-view').content.cloneNode(true));
  state.view = { name: '#events', ...eventsCard(main.querySelector('.events')) };
}

function route() {
  const m = /^#\/service\/(.+)$/.exec(location.hash);
  state.selected = m ? decodeURIComponent(m[1]) : location.hash === '#/events' ? '#events' : undefined;
  if (state.selected === '#events') showEvents();
  else if (state.selected) showService(state.selected);
  renderList();
}

function watch() {
  const live = $('#live');
  const source = new EventSource('/api/watch');
  source.addEventListener('open', () => {
    live.className = 'pill ok';
    live.textContent = 'live';
  });
  source.addEventListener('services', (e) => {
    state.services = byName(JSON.parse(e.data));
    renderList();
    if (state.selected && state.selected !== '#events') showService(state.selected);
  });
  source.addEventListener('error', () => {
    live.className = 'pill warn';
    live.textContent = 'reconnecting…';
  });
}

state.info = await (await fetch('/api/info')).json();
$('#filter').addEventListener('input', renderList);
window.addEventListener('hashchange', route);
route();
watch();

// Small DOM and formatting helpers shared by the dashboard modules.

/** Creates an element with text or children. */
export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== undefined && c !== null) e.append(c);
  return e;
}

/** Pretty JSON of a parsed value, or the raw text when it is not JSON. */
export function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** Milliseconds with a sensible precision. */
export const ms = (v) => (v === undefined || v === null ? '–' : v < 10 ? `${v.toFixed(2)} ms` : `${v.toFixed(0)} ms`);

/** The pill class of an HTTP status. */
export const statusClass = (code) => (code < 300 ? 'ok' : code < 500 ? 'warn' : 'bad');

const forbidden = new Set(['__proto__', 'constructor', 'prototype']);

/** JSON.parse reviver that drops keys able to reach a prototype when the result is later merged or spread. */
export function dropDangerousKeys(key: string, value: unknown): unknown {
  return forbidden.has(key) ? undefined : value;
}

/**
 * Removes prototype-reaching keys from decoded data at every depth (for decoders without a reviver
 * hook). Iterative, so a hostile body nested deeper than the stack cannot slip a key past it.
 */
export function sanitize(value: unknown): unknown {
  const todo: object[] = [];
  const visit = (v: unknown) => {
    if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !(v instanceof Date)) todo.push(v);
  };
  visit(value);
  for (let v = todo.pop(); v !== undefined; v = todo.pop()) {
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      continue;
    }
    const obj = v as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      if (forbidden.has(k)) delete obj[k];
      else visit(obj[k]);
    }
  }
  return value;
}

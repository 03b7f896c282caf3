const forbidden = new Set(['__proto__', 'constructor', 'prototype']);

/** JSON.parse reviver that drops keys able to reach a prototype when the result is later merged or spread. */
export function dropDangerousKeys(key: string, value: unknown): unknown {
  return forbidden.has(key) ? undefined : value;
}

/** Recursively removes prototype-reaching keys from decoded data (for decoders without a reviver hook). */
export function sanitize(value: unknown, depth = 0): unknown {
  if (depth > 256 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = sanitize(value[i], depth + 1);
    return value;
  }
  if (ArrayBuffer.isView(value) || value instanceof Date) return value;
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (forbidden.has(k)) delete obj[k];
    else obj[k] = sanitize(obj[k], depth + 1);
  }
  return obj;
}

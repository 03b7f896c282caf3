/** A one-line reason why a module could not load, short enough for a table cell. */
export function reason(e: unknown): string {
  if ((e as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND') return 'module not found';
  const first = (e instanceof Error ? e.message : String(e)).split('\n', 1)[0] ?? '';
  return first.length > 100 ? `${first.slice(0, 97)}...` : first;
}

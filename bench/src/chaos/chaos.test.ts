import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineInfo } from '../report.js';
import { discoverScenarios } from './discover.js';
import { inbox } from './ipc.js';
import type { ScenarioResult } from './scenario.js';
import { createSpawner } from './spawn.js';
import { END, formatMarkdown, formatTable, START, writeResults } from './table.js';

const result: ScenarioResult = { name: 'demo', pass: false, target: 'x < 1', figures: { attempted: 1200, 'p99 ms': 1.5 }, notes: 'a|b' };

describe('chaos runner pieces', () => {
  it('discovers scenario files by reading the directory, in the issue order', async () => {
    const { scenarios } = await discoverScenarios(['soak', 'node-crash', 'slow-node', 'rolling-restart']);
    expect(scenarios.map((s) => s.name)).toEqual(['node-crash', 'rolling-restart', 'slow-node', 'soak']);
    for (const s of scenarios) expect(s.budgetSeconds).toBeGreaterThan(0);
  });

  it('prints figures and writes the Markdown block between the markers, keeping the rest of the file', async () => {
    expect(formatTable([result])).toMatch(/demo\s+FAIL\s+attempted\s+1,200/);
    const dir = await mkdtemp(join(tmpdir(), 'chaos-'));
    try {
      const file = join(dir, 'reliability.md');
      await writeFile(file, `# Title\n\nintro\n\n${START}\nold\n${END}\n\ntail\n`);
      await writeResults(file, formatMarkdown([result], machineInfo(), 'test'));
      const doc = await readFile(file, 'utf8');
      expect(doc).toContain('intro');
      expect(doc).toContain('tail');
      expect(doc).not.toContain('old');
      expect(doc).toContain('| demo | FAIL | attempted: 1,200<br>p99 ms: 1.5 | x < 1 |');
      expect(doc).toContain('a\\|b');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('spawns a TS child from source with an IPC channel, and killAll leaves none running', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chaos-'));
    const spawner = createSpawner(() => {});
    try {
      const file = join(dir, 'child.ts');
      // Typed syntax proves the TS loader runs; the child then idles until killed.
      await writeFile(file, "const n: number = 42;\nprocess.send?.({ type: 'ready', n });\nsetInterval(() => {}, 1000);\n");
      const child = spawner.spawnNode(file);
      const box = inbox<{ type: 'ready'; n: number } | { type: 'error'; message: string }>(child, 'child');
      expect((await box.next('ready', 15_000)).n).toBe(42);
      await spawner.killAll(5000);
      expect(await box.exited(1000)).toEqual({ code: null, signal: 'SIGKILL' });
    } finally {
      await spawner.killAll(5000);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source', 'import', 'default'] },
  ssr: { resolve: { conditions: ['source', 'import', 'default'], externalConditions: ['source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/*/src/**/*.test.ts', 'bench/src/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    typecheck: { enabled: true, include: ['packages/*/src/**/*.test-d.ts', 'examples/*/src/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});

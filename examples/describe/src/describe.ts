import { describeService } from '@tsmicro/client';
import { isMicroError } from '@tsmicro/core';
import { mdnsRegistry } from '@tsmicro/registry/mdns';
import { formatDescription } from './format.js';

// Usage: describe <service> [--json]
// Asks the default (mDNS) registry what <service> offers: nodes, endpoints, call shapes and the
// JSON Schemas its handlers declare. Exits 1 when the service is not found.
const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith('--'));
if (!name) {
  process.stderr.write('usage: describe <service> [--json]\n');
  process.exit(2);
}
const registry = mdnsRegistry();
try {
  const versions = await describeService(registry, name);
  process.stdout.write(args.includes('--json') ? `${JSON.stringify(versions, null, 2)}\n` : formatDescription(versions));
} catch (e) {
  process.stderr.write(`${isMicroError(e) ? e.detail : String(e)}\n`);
  process.exitCode = 1;
} finally {
  await registry.close();
}

/**
 * Runs the registry-outage scenario standalone (without the chaos runner):
 * node --conditions=source --import tsx bench/src/chaos/scenarios/registry/try.ts [--full]
 */
import { runStandalone } from '../../standalone.js';
import { scenario } from '../registry-outage.js';

await runStandalone(scenario);

/**
 * Runs the broker-restart scenario standalone (without the chaos runner):
 * node --conditions=source --import tsx bench/src/chaos/scenarios/broker/try.ts [--full]
 */
import { runStandalone } from '../../standalone.js';
import { scenario } from '../broker-restart.js';

await runStandalone(scenario);

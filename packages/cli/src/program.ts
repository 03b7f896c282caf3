import { brokerKinds, PluginEnv, registryKinds } from '@tsmicro/service/plugins';
import { Command, Option } from 'commander';
import { apiCommand } from './commands/api.js';
import { callCommand } from './commands/call.js';
import { describeCommand } from './commands/describe.js';
import { healthCommand } from './commands/health.js';
import { publishCommand } from './commands/publish.js';
import { servicesCommand } from './commands/services.js';
import { streamCommand } from './commands/stream.js';
import { subscribeCommand } from './commands/subscribe.js';
import { watchCommand } from './commands/watch.js';
import { examples } from './run.js';

/** The commands, each a function adding itself to the program. */
const commands = [
  servicesCommand,
  describeCommand,
  callCommand,
  streamCommand,
  publishCommand,
  subscribeCommand,
  watchCommand,
  healthCommand,
  apiCommand,
];

/**
 * The `tsmicro` program: global options (registry, broker, `--json`, `--verbose`) and every command.
 * Flags win over the environment variables a service reads (`PluginEnv`), which win over the defaults.
 * @example await createProgram().parseAsync(['services', '--json'], { from: 'user' })
 */
export function createProgram(): Command {
  const program = new Command('tsmicro')
    .description(
      'see and poke a running tsmicro system: list, describe, call, stream, publish, subscribe, watch, health, api (HTTP gateway)',
    )
    .version('0.1.0')
    .addOption(new Option('-r, --registry <kind>', `registry to ask (env ${PluginEnv.registry}; default mdns)`).choices(registryKinds))
    .option('--registry-address <address>', `etcd: host:port[,host:port]; consul: agent URL (env ${PluginEnv.registryAddress})`)
    .option('--mdns-interface <ip>', `IPv4 address of the interface mDNS uses (env ${PluginEnv.mdnsInterface}; default every interface)`)
    .addOption(
      new Option('-b, --broker <kind>', `broker for publish/subscribe (env ${PluginEnv.broker}; default http)`).choices(brokerKinds),
    )
    .option(
      '--broker-address <address>',
      `nats: host:port[,…]; redis: redis://… or host:port; http: listen host:port (env ${PluginEnv.brokerAddress})`,
    )
    .option('--json', 'machine-readable output: JSON on stdout, errors as JSON on stderr')
    .option('-v, --verbose', 'say which registry/broker was asked, where, what it answered and how long it took (stderr)')
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      `${examples(
        'tsmicro services',
        'tsmicro describe greeter',
        `tsmicro call greeter Greeter.hello '{"name":"Ada"}'`,
        'tsmicro --registry etcd --registry-address 127.0.0.1:2379 services --verbose',
      )}\nExit codes: 0 success, 1 the operation failed (the error's id, code and detail are printed), 2 bad usage.\n`,
    );
  for (const add of commands) add(program);
  return program;
}

import type { CallOptions, HandlerKind } from '@tsmicro/client';
import type { Metadata } from '@tsmicro/core';
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { findEndpoint, findService } from './discovery.js';
import { usageError } from './failure.js';
import { collectMetadata, parseMs } from './input.js';

/** Options `call` and `stream` share. */
export interface CallFlags {
  timeout?: number;
  metadata?: Metadata;
  address?: string;
  contentType?: string;
}

/** Adds the flags `call` and `stream` share. */
export function callFlags(cmd: Command, timeoutHelp: string): Command {
  return cmd
    .option('-t, --timeout <ms>', timeoutHelp, parseMs('--timeout'))
    .option('-m, --metadata <key=value>', 'metadata sent with the call (repeatable)', collectMetadata)
    .option('-a, --address <host:port>', 'call this node directly, skipping discovery')
    .option('-c, --content-type <type>', 'request encoding: application/json, application/msgpack or application/octet-stream (raw text)');
}

/** The client's `CallOptions` for the flags. */
export function callOptions(f: CallFlags): CallOptions {
  return {
    ...(f.timeout !== undefined && { timeout: f.timeout }),
    ...(f.metadata !== undefined && { metadata: f.metadata }),
    ...(f.address !== undefined && { address: f.address }),
    ...(f.contentType !== undefined && { contentType: f.contentType }),
  };
}

/**
 * The endpoint's kind as registered, after checking the service and endpoint exist (404 with "did you
 * mean" otherwise); `undefined` with `--address`, where discovery is skipped and the server judges.
 */
export async function endpointKind(ctx: CliContext, service: string, endpoint: string, f: CallFlags): Promise<HandlerKind | undefined> {
  if (f.address !== undefined) {
    ctx.out.debug(`--address ${f.address}: discovery skipped`);
    return undefined;
  }
  return findEndpoint(await findService(ctx, service), endpoint).kind;
}

/** A usage error pointing at the command that serves `kind`. */
export function wrongCommand(endpoint: string, kind: HandlerKind, use: 'call' | 'stream'): never {
  throw usageError(`${endpoint} is a ${kind} endpoint: use 'tsmicro ${use}' for it`);
}

import { anyHead } from '@tsmicro/codec';
import type { SchemaFile } from './schema-file.js';

/** What the transport needs of one protobuf method: its message types and whether each side streams. */
export interface ProtoMethod {
  /** The tsmicro endpoint serving it: `Greeter.sayHello` (handler name, method local name). */
  readonly endpoint: string;
  readonly input: string;
  readonly output: string;
  /** `Any` envelope heads of the two types (`anyHead` of @tsmicro/codec), made once. */
  readonly inputAny: Uint8Array;
  readonly outputAny: Uint8Array;
  readonly clientStreams: boolean;
  readonly serverStreams: boolean;
}

/** The protobuf methods and files a gRPC transport knows, by path `/pkg.Service/Method`. */
export interface SchemaIndex {
  method(path: string): ProtoMethod | undefined;
  /**
   * The path of a described method named by a tsmicro endpoint, `Greeter.sayHello` (under `pkg`, or the
   * one service of that name) or `pkg.Greeter.sayHello`, spelled as the schema spells it (`/pkg.Greeter/SayHello`,
   * or `/pkg.Greeter/sayHello` for a method the .proto writes lower-case); undefined when none is described.
   */
  path(endpoint: string, pkg: string | undefined): string | undefined;
  /** Full names of the services described (for reflection's list and health). */
  readonly services: readonly string[];
  readonly files: readonly SchemaFile[];
}

/**
 * Indexes generated file descriptors (`file_greeter` of `greeter_pb.ts`) by gRPC path.
 * @example schemaIndex([file_greeter]).method('/tsmicro.example.greeter.v1.Greeter/Hello')
 */
export function schemaIndex(files: readonly SchemaFile[]): SchemaIndex {
  const methods = new Map<string, ProtoMethod>();
  /** Paths by endpoint with its package (`pkg.Greeter.sayHello`) and without (`Greeter.sayHello`; '' when two packages share the name). */
  const full = new Map<string, string>();
  const short = new Map<string, string>();
  const services: string[] = [];
  for (const f of files) {
    for (const s of f.services) {
      services.push(s.typeName);
      for (const m of s.methods) {
        const path = `/${s.typeName}/${m.name}`;
        full.set(`${s.typeName}.${m.localName}`, path);
        const name = `${s.name}.${m.localName}`;
        short.set(name, short.has(name) ? '' : path);
        methods.set(path, {
          endpoint: `${s.name}.${m.localName}`,
          input: m.input.typeName,
          output: m.output.typeName,
          inputAny: anyHead(m.input.typeName),
          outputAny: anyHead(m.output.typeName),
          clientStreams: m.methodKind === 'client_streaming' || m.methodKind === 'bidi_streaming',
          serverStreams: m.methodKind === 'server_streaming' || m.methodKind === 'bidi_streaming',
        });
      }
    }
  }
  return {
    method: (p) => methods.get(p),
    path(endpoint, pkg) {
      const packaged = endpoint.indexOf('.') !== endpoint.lastIndexOf('.');
      if (packaged) return full.get(endpoint);
      return (pkg ? full.get(`${pkg}.${endpoint}`) : short.get(endpoint)) || undefined;
    },
    services,
    files,
  };
}

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
  const services: string[] = [];
  for (const f of files) {
    for (const s of f.services) {
      services.push(s.typeName);
      for (const m of s.methods) {
        methods.set(`/${s.typeName}/${m.name}`, {
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
  return { method: (p) => methods.get(p), services, files };
}

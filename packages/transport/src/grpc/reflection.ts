import type { SchemaFile, SchemaMessage } from './schema-file.js';
import { GrpcStatus } from './status.js';
import type { StdHandlers } from './std-call.js';
import { type Field, ProtoWriter, readFields } from './wire.js';

/** Serialized `FileDescriptorProto`s by file name, and which file defines each symbol. */
export interface ReflectionIndex {
  readonly services: readonly string[];
  readonly files: ReadonlyMap<string, { bytes: Uint8Array; deps: readonly string[] }>;
  readonly symbols: ReadonlyMap<string, string>;
}

function addMessages(ms: readonly SchemaMessage[], file: string, symbols: Map<string, string>): void {
  for (const m of ms) {
    symbols.set(m.typeName, file);
    for (const e of m.nestedEnums) symbols.set(e.typeName, file);
    addMessages(m.nestedMessages, file, symbols);
  }
}

/**
 * Indexes the files for reflection. `@bufbuild/protobuf` (whose descriptors the app already uses) serializes them.
 * @example await reflectionIndex([file_greeter])
 */
export async function reflectionIndex(roots: readonly SchemaFile[]): Promise<ReflectionIndex> {
  const { toBinary } = await import('@bufbuild/protobuf');
  const { FileDescriptorProtoSchema } = await import('@bufbuild/protobuf/wkt');
  const files = new Map<string, { bytes: Uint8Array; deps: string[] }>();
  const symbols = new Map<string, string>();
  const services: string[] = [];
  const visit = (f: SchemaFile, root: boolean) => {
    const name = f.proto.name;
    if (files.has(name)) return;
    // `proto` is a FileDescriptorProto: SchemaFile declares only its name, to keep @bufbuild/protobuf out of the public types.
    files.set(name, { bytes: toBinary(FileDescriptorProtoSchema, f.proto as never), deps: f.dependencies.map((d) => d.proto.name) });
    for (const s of f.services) {
      if (root) services.push(s.typeName);
      symbols.set(s.typeName, name);
      for (const m of s.methods) symbols.set(`${s.typeName}.${m.name}`, name);
    }
    for (const e of f.enums) symbols.set(e.typeName, name);
    addMessages(f.messages, name, symbols);
    for (const d of f.dependencies) visit(d, false);
  };
  for (const f of roots) visit(f, true);
  return { services, files, symbols };
}

/** The services the transport answers itself. */
const STANDARD = ['grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'];

/** The file and every file it depends on (reflection clients need them all to build descriptors). */
function withDeps(index: ReflectionIndex, name: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const seen = new Set<string>();
  const walk = (n: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    const f = index.files.get(n);
    if (!f) return;
    out.push(f.bytes);
    for (const d of f.deps) walk(d);
  };
  walk(name);
  return out;
}

function answer(index: ReflectionIndex, req: readonly Field[]): ProtoWriter {
  const w = new ProtoWriter();
  const text = (f: Field) => Buffer.from(f.bytes).toString('utf8');
  const files = (names: Uint8Array[]) => {
    const inner = new ProtoWriter();
    for (const b of names) inner.bytes(1, b);
    return w.bytes(4, inner.finish());
  };
  const error = (code: number, msg: string) => w.bytes(7, new ProtoWriter().int(1, code).bytes(2, msg).finish());
  for (const f of req) {
    if (f.no === 7) {
      const list = new ProtoWriter();
      for (const s of [...STANDARD, ...index.services]) list.bytes(1, new ProtoWriter().bytes(1, s).finish());
      return w.bytes(6, list.finish());
    }
    if (f.no === 3) return index.files.has(text(f)) ? files(withDeps(index, text(f))) : error(GrpcStatus.NOT_FOUND, `no file ${text(f)}`);
    if (f.no === 4) {
      const file = index.symbols.get(text(f));
      return file ? files(withDeps(index, file)) : error(GrpcStatus.NOT_FOUND, `no symbol ${text(f)}`);
    }
    if (f.no === 5 || f.no === 6) return error(GrpcStatus.UNIMPLEMENTED, 'extensions are not served by tsmicro reflection');
  }
  return error(GrpcStatus.INVALID_ARGUMENT, 'empty reflection request');
}

/** `grpc.reflection.v1(alpha).ServerReflection/ServerReflectionInfo`: one answer per request, until the client ends. */
export function reflectionInfo(index: ReflectionIndex): StdHandlers {
  return {
    message(body, call) {
      let req: Field[];
      try {
        req = readFields(body);
      } catch (e) {
        return call.finish(GrpcStatus.INVALID_ARGUMENT, `malformed ServerReflectionRequest: ${(e as Error).message}`);
      }
      const host = req.find((f) => f.no === 1);
      const w = new ProtoWriter();
      if (host) w.bytes(1, host.bytes);
      w.bytes(2, body);
      call.send(Buffer.concat([w.finish(), answer(index, req).finish()]));
    },
    end(call) {
      call.finish(GrpcStatus.OK);
    },
  };
}

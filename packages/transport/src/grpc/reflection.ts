import { type Field, readFields } from '@tsmicro/codec';
import type { SchemaExtension, SchemaFile, SchemaMessage } from './schema-file.js';
import { GrpcStatus } from './status.js';
import type { StdHandlers } from './std-call.js';
import { ProtoWriter, stringField } from './wire.js';

/** Serialized `FileDescriptorProto`s by file name, which file defines each symbol, and the extensions of each message. */
export interface ReflectionIndex {
  readonly services: readonly string[];
  readonly files: ReadonlyMap<string, { bytes: Uint8Array; deps: readonly string[] }>;
  readonly symbols: ReadonlyMap<string, string>;
  /** Extended message name → extension number → the file declaring the extension. */
  readonly extensions: ReadonlyMap<string, ReadonlyMap<number, string>>;
}

type Extensions = Map<string, Map<number, string>>;

function addExtensions(xs: readonly SchemaExtension[] | undefined, file: string, symbols: Map<string, string>, into: Extensions): void {
  for (const x of xs ?? []) {
    symbols.set(x.typeName, file);
    const byNumber = into.get(x.extendee.typeName) ?? new Map<number, string>();
    byNumber.set(x.number, file);
    into.set(x.extendee.typeName, byNumber);
  }
}

function addMessages(ms: readonly SchemaMessage[], file: string, symbols: Map<string, string>, extensions: Extensions): void {
  for (const m of ms) {
    symbols.set(m.typeName, file);
    for (const e of m.nestedEnums) symbols.set(e.typeName, file);
    addExtensions(m.nestedExtensions, file, symbols, extensions);
    addMessages(m.nestedMessages, file, symbols, extensions);
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
  const extensions: Extensions = new Map();
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
    addExtensions(f.extensions, name, symbols, extensions);
    addMessages(f.messages, name, symbols, extensions);
    for (const d of f.dependencies) visit(d, false);
  };
  for (const f of roots) visit(f, true);
  return { services, files, symbols, extensions };
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
    if (f.no === 5) {
      // ExtensionRequest: containing_type (1), extension_number (2).
      const x = readFields(f.bytes);
      const type = stringField(x, 1);
      const number = x.find((y) => y.no === 2 && y.wire === 0)?.varint ?? 0;
      const file = index.extensions.get(type)?.get(number);
      return file ? files(withDeps(index, file)) : error(GrpcStatus.NOT_FOUND, `no extension ${number} of ${type}`);
    }
    if (f.no === 6) {
      const type = text(f);
      if (!index.symbols.has(type)) return error(GrpcStatus.NOT_FOUND, `no message type ${type}`);
      // ExtensionNumberResponse: base_type_name (1), extension_number (2, packed); none is a valid answer.
      const numbers = [...(index.extensions.get(type)?.keys() ?? [])];
      const res = new ProtoWriter().bytes(1, type);
      if (numbers.length > 0) res.bytes(2, new ProtoWriter().varints(numbers).finish());
      return w.bytes(5, res.finish());
    }
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

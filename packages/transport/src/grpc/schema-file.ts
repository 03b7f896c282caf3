/**
 * The parts of a generated protobuf file descriptor (`@bufbuild/protobuf`'s `DescFile`, as
 * protoc-gen-es emits `file_greeter`) that the gRPC transport reads. Declared here, structurally, so
 * that an app which never passes schemas typechecks without `@bufbuild/protobuf` installed; a real
 * `DescFile` fits it as it is.
 */
export interface SchemaFile {
  /** The `FileDescriptorProto` (reflection serializes it with `@bufbuild/protobuf`, loaded on use). */
  readonly proto: { readonly name: string };
  readonly dependencies: readonly SchemaFile[];
  readonly services: readonly SchemaService[];
  readonly enums: readonly SchemaNamed[];
  readonly messages: readonly SchemaMessage[];
  /** Extensions declared at the file's top level (reflection answers extension queries from them). */
  readonly extensions?: readonly SchemaExtension[];
}

/** A fully qualified protobuf name (`pkg.Greeter`). */
export interface SchemaNamed {
  readonly typeName: string;
}

/** A service of a {@link SchemaFile}. */
export interface SchemaService extends SchemaNamed {
  readonly name: string;
  readonly methods: readonly SchemaMethod[];
}

/** A method of a {@link SchemaService}. */
export interface SchemaMethod {
  readonly name: string;
  readonly localName: string;
  readonly methodKind: 'unary' | 'server_streaming' | 'client_streaming' | 'bidi_streaming';
  readonly input: SchemaNamed;
  readonly output: SchemaNamed;
}

/** A message of a {@link SchemaFile}, with the types nested in it. */
export interface SchemaMessage extends SchemaNamed {
  readonly nestedEnums: readonly SchemaNamed[];
  readonly nestedMessages: readonly SchemaMessage[];
  readonly nestedExtensions?: readonly SchemaExtension[];
}

/** An extension field: its number and the message it extends. */
export interface SchemaExtension extends SchemaNamed {
  readonly number: number;
  readonly extendee: SchemaNamed;
}

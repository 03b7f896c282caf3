import { create, type DescMessage, type DescMethod, type DescService, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import type { CallOptions, Client, Stream } from '@tsmicro/client';

type Method<K extends DescMethod['methodKind'], I extends DescMessage, O extends DescMessage> = { methodKind: K; input: I; output: O };

/** The caller's signature of one method; requests may be message inits (`create` is applied). */
export type ProtoClientMethod<M> =
  M extends Method<'unary', infer I, infer O>
    ? (req: MessageInitShape<I>, o?: CallOptions) => Promise<MessageShape<O>>
    : M extends Method<'server_streaming', infer I, infer O>
      ? (req: MessageInitShape<I>, o?: CallOptions) => AsyncIterable<MessageShape<O>>
      : M extends Method<'client_streaming' | 'bidi_streaming', infer I, infer O>
        ? (o?: CallOptions) => Stream<MessageInitShape<I>, MessageShape<O>>
        : never;

/** A client of a generated service (`GenService`), typed from the descriptor, by method local name. */
export type ProtoClient<S extends DescService> = { readonly [K in keyof S['method']]: ProtoClientMethod<S['method'][K]> };

type Init = MessageInitShape<DescMessage>;
type Raw = Record<string, (a?: unknown, b?: unknown) => unknown>;

function withCreatedSends(m: DescMethod, s: Stream<unknown, unknown>): Stream<Init, unknown> {
  return {
    send: (msg) => s.send(create(m.input, msg)),
    closeSend: () => s.closeSend(),
    close: () => s.close(),
    [Symbol.asyncIterator]: () => s[Symbol.asyncIterator](),
  };
}

/**
 * A typed client of the `.proto` service `desc` served by `service` (endpoints `Greeter.hello`, as
 * {@link protoHandlers} registers them), built on the client's typed proxy. Use with the protobuf
 * codec as the client's content type.
 * @example const greeter = protoClient(client, 'proto-greeter', Greeter); await greeter.hello({ name: 'Ada' })
 */
export function protoClient<S extends DescService>(client: Client, service: string, desc: S, o?: CallOptions): ProtoClient<S> {
  const raw = client.service<Record<string, object>>(service, o)[desc.name] as Raw | undefined;
  const out: Record<string, Function> = {};
  for (const m of desc.methods) {
    const call = (a?: unknown, b?: unknown) => raw?.[m.localName]?.(a, b);
    out[m.localName] =
      m.methodKind === 'unary' || m.methodKind === 'server_streaming'
        ? (req: Init, co?: CallOptions) => call(create(m.input, req), co)
        : (co?: CallOptions) => withCreatedSends(m, call(co) as Stream<unknown, unknown>);
  }
  return out as ProtoClient<S>;
}

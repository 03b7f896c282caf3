import {
  create,
  type DescMessage,
  type DescMethod,
  type DescService,
  isMessage,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import type { BidiStreamHandler, ClientStreamHandler, HandlerProxy, ServerStreamHandler, UnaryHandler } from '@tsmicro/client';
import { badRequest, type Context } from '@tsmicro/core';
import { bidiStream, clientStream, serverStream } from '@tsmicro/server';

type Method<K extends DescMethod['methodKind'], I extends DescMessage, O extends DescMessage> = { methodKind: K; input: I; output: O };
type Out<O extends DescMessage> = MessageInitShape<O>;

/** How an app implements one method: generated request messages in, message inits (or messages) out. */
export type ProtoMethodImpl<M> =
  M extends Method<'unary', infer I, infer O>
    ? (req: MessageShape<I>, ctx: Context) => Out<O> | Promise<Out<O>>
    : M extends Method<'server_streaming', infer I, infer O>
      ? (req: MessageShape<I>, ctx: Context) => AsyncIterable<Out<O>>
      : M extends Method<'client_streaming', infer I, infer O>
        ? (reqs: AsyncIterable<MessageShape<I>>, ctx: Context) => Out<O> | Promise<Out<O>>
        : M extends Method<'bidi_streaming', infer I, infer O>
          ? (reqs: AsyncIterable<MessageShape<I>>, ctx: Context) => AsyncIterable<Out<O>>
          : never;

/** The served handler of one method: the tsmicro handler kind with the generated message types. */
export type ProtoMethodHandler<M> =
  M extends Method<'unary', infer I, infer O>
    ? UnaryHandler<MessageShape<I>, MessageShape<O>>
    : M extends Method<'server_streaming', infer I, infer O>
      ? ServerStreamHandler<MessageShape<I>, MessageShape<O>>
      : M extends Method<'client_streaming', infer I, infer O>
        ? ClientStreamHandler<MessageShape<I>, MessageShape<O>>
        : M extends Method<'bidi_streaming', infer I, infer O>
          ? BidiStreamHandler<MessageShape<I>, MessageShape<O>>
          : never;

/** An implementation of every method of a generated service (`GenService`), by method local name. */
export type ProtoServiceImpl<S extends DescService> = { [K in keyof S['method']]: ProtoMethodImpl<S['method'][K]> };
/** The handler object {@link protoHandlers} returns; also the type argument for a typed client proxy. */
export type ProtoServiceHandlers<S extends DescService> = { [K in keyof S['method']]: ProtoMethodHandler<S['method'][K]> };
/** The client's view of a generated service: `client.service<{ Greeter: ProtoServiceHandlers<typeof Greeter> }>(…).Greeter`. */
export type ProtoServiceProxy<S extends DescService> = HandlerProxy<ProtoServiceHandlers<S>>;

/** Refuses a request of another message type: the protobuf codec decodes any registered type. */
function checked(m: DescMethod, req: unknown): MessageShape<DescMessage> {
  if (isMessage(req, m.input)) return req;
  const got = isMessage(req) ? req.$typeName : typeof req;
  throw badRequest(`${m.parent.typeName}.${m.name} expects ${m.input.typeName}, got ${got}`);
}

async function* eachChecked(m: DescMethod, reqs: AsyncIterable<unknown>): AsyncGenerator<MessageShape<DescMessage>> {
  for await (const r of reqs) yield checked(m, r);
}

async function* eachCreated(m: DescMethod, out: AsyncIterable<MessageInitShape<DescMessage>>): AsyncGenerator<MessageShape<DescMessage>> {
  for await (const r of out) yield create(m.output, r);
}

type AnyImpl = (req: never, ctx: Context) => unknown;

function handlerFor(m: DescMethod, fn: AnyImpl): Function {
  const call = fn as (req: unknown, ctx: Context) => unknown;
  switch (m.methodKind) {
    case 'unary':
      return async (req: unknown, ctx: Context) => create(m.output, (await call(checked(m, req), ctx)) as MessageInitShape<DescMessage>);
    case 'server_streaming':
      return serverStream((req: unknown, ctx: Context) =>
        eachCreated(m, call(checked(m, req), ctx) as AsyncIterable<MessageInitShape<DescMessage>>),
      );
    case 'client_streaming':
      return clientStream(async (reqs: AsyncIterable<unknown>, ctx: Context) =>
        create(m.output, (await call(eachChecked(m, reqs), ctx)) as MessageInitShape<DescMessage>),
      );
    case 'bidi_streaming':
      return bidiStream((reqs: AsyncIterable<unknown>, ctx: Context) =>
        eachCreated(m, call(eachChecked(m, reqs), ctx) as AsyncIterable<MessageInitShape<DescMessage>>),
      );
  }
}

/**
 * Serves a `.proto` service: maps each method of the generated descriptor to a tsmicro handler of
 * the same kind (unary, server, client or bidi stream), typed from the descriptor. Requests of
 * another message type are refused with 400; responses may be message inits (`create` is applied).
 * Register the result under the service's name: endpoints are `Greeter.hello` (method local names).
 * @example server.handle(Greeter.name, protoHandlers(Greeter, { async hello(req) { return { message: `hi ${req.name}` } }, … }))
 */
export function protoHandlers<S extends DescService>(service: S, impl: NoInfer<ProtoServiceImpl<S>>): ProtoServiceHandlers<S> {
  const fns = impl as Record<string, AnyImpl | undefined>;
  const handlers: Record<string, Function> = {};
  for (const m of service.methods) {
    const fn = fns[m.localName];
    if (typeof fn !== 'function') throw badRequest(`${service.typeName}: no implementation of ${m.name} (${m.localName})`);
    handlers[m.localName] = handlerFor(m, fn.bind(impl));
  }
  return handlers as ProtoServiceHandlers<S>;
}

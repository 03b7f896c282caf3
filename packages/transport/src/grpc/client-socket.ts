import type { ClientHttp2Session } from 'node:http2';
import { Frame, H } from '../rpc/headers.js';
import type { Message } from '../transport.js';
import { ClientCall } from './client-call.js';
import type { ResolvedGrpcOptions } from './options.js';
import { SessionSocket } from './session-socket.js';

const resolved = Promise.resolve();
const empty = new Uint8Array(0);

/** One HTTP/2 connection to a gRPC server as a tsmicro Socket: each RPC call the mux opens is a gRPC call. */
export class GrpcClientSocket extends SessionSocket<ClientCall> {
  constructor(
    private readonly client: ClientHttp2Session,
    local: string,
    remote: string,
    o: ResolvedGrpcOptions,
  ) {
    super(client, local, remote, o);
    client.on('goaway', () => {
      // The server is going away: no new call goes here; calls in flight finish.
      this.closing ??= Promise.resolve();
    });
  }

  send(m: Message): Promise<void> {
    const id = m.header[H.id] ?? '';
    const kind = m.header[H.frame];
    if (kind === Frame.request) {
      if (this.closing || this.client.closed || this.client.destroyed) return Promise.reject(this.closedError());
      let call: ClientCall;
      try {
        call = new ClientCall(this, this.client, id, m.header, m.body);
      } catch (e) {
        this.error ??= e instanceof Error ? e : new Error(String(e));
        return Promise.reject(this.closedError());
      }
      if (!call.isDone) this.calls.set(id, call);
      return call.written;
    }
    if (kind === Frame.ping) {
      if (this.client.destroyed) return Promise.reject(this.closedError());
      this.client.ping((err) => {
        if (!err) this.push({ header: { [H.id]: '0', [H.frame]: Frame.pong }, body: empty });
      });
      return resolved;
    }
    return this.calls.get(id)?.send(m) ?? resolved;
  }

  close(): Promise<void> {
    const closing = this.closeSession();
    this.closing = closing;
    return closing;
  }
}

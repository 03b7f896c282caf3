/** Turns values into bytes and back for one content type. */
export interface Codec {
  /** Short name, e.g. `json`. */
  readonly name: string;
  /** MIME type sent as `Content-Type`, e.g. `application/json`. */
  readonly contentType: string;
  encode(value: unknown): Uint8Array;
  /** Throws `badRequest` on bytes it cannot read; never returns an object with a polluted prototype. */
  decode(data: Uint8Array): unknown;
}

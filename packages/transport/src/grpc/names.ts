/**
 * Names between gRPC and tsmicro (docs/grpc.md, "Names"):
 * path `/pkg.sub.Greeter/SayHello` ↔ endpoint `Greeter.sayHello`: the gRPC service's last name
 * segment is the tsmicro handler name, and the method's first letter is upper-case in gRPC and
 * lower-case in tsmicro (the usual spelling on each side; a method described by a schema uses its
 * generated `localName`). A tsmicro client may name the package in the endpoint,
 * `pkg.sub.Greeter.sayHello`, or leave it to the transport's `package` option; a method its schema
 * describes goes to the path the schema spells (lower-case methods too), and any other lower-case
 * method is reached by giving its gRPC path as the endpoint.
 */

/** The tsmicro endpoint of a gRPC path; undefined when the path is not `/Service/Method`. */
export function endpointOf(path: string): string | undefined {
  const slash = path.indexOf('/', 1);
  if (path[0] !== '/' || slash < 2 || slash === path.length - 1 || path.indexOf('/', slash + 1) !== -1) return undefined;
  const service = path.slice(Math.max(path.lastIndexOf('.', slash) + 1, 1), slash);
  if (service.length === 0) return undefined;
  const method = path.slice(slash + 1);
  return `${service}.${method[0]?.toLowerCase()}${method.slice(1)}`;
}

/**
 * The gRPC path of a tsmicro endpoint no schema describes: `Greeter.sayHello` (with `pkg`) or
 * `pkg.Greeter.sayHello` → `/pkg.Greeter/SayHello`; an endpoint that is a gRPC path already
 * (`/pkg.Greeter/sayHello`, for a method spelled lower-case) goes as it is.
 */
export function pathOf(endpoint: string, pkg: string | undefined): string {
  if (endpoint[0] === '/') return endpoint;
  const dot = endpoint.lastIndexOf('.');
  const service = endpoint.slice(0, dot);
  const method = `${endpoint[dot + 1]?.toUpperCase() ?? ''}${endpoint.slice(dot + 2)}`;
  return pkg && !service.includes('.') ? `/${pkg}.${service}/${method}` : `/${service}/${method}`;
}

/** The tsmicro content type of a gRPC one: `application/grpc` and `+proto` → protobuf, `+json` → json, `+x` → `application/x`. */
export function codecContentType(grpc: string): string | undefined {
  if (!grpc.startsWith('application/grpc')) return undefined;
  const rest = grpc.slice(16);
  if (rest === '' || rest.startsWith(';') || rest === '+proto') return PROTOBUF;
  if (rest[0] !== '+') return undefined;
  return `application/${rest.slice(1).split(';')[0]}`;
}

/** The gRPC content type of a tsmicro codec's content type. */
export function grpcContentType(codec: string): string {
  if (codec === PROTOBUF) return 'application/grpc';
  return `application/grpc+${codec.startsWith('application/') ? codec.slice(12) : codec}`;
}

/** The content type of the protobuf codec of @tsmicro/codec/proto. */
export const PROTOBUF = 'application/protobuf';

import { describe, expect, it } from 'vitest';
import { codecContentType, endpointOf, grpcContentType, pathOf } from './names.js';

describe('gRPC names ↔ tsmicro endpoints', () => {
  it('maps paths to Handler.method and back', () => {
    expect(endpointOf('/pkg.sub.Greeter/SayHello')).toBe('Greeter.sayHello');
    expect(endpointOf('/Greeter/SayHello')).toBe('Greeter.sayHello');
    expect(pathOf('Greeter.sayHello', 'pkg.sub')).toBe('/pkg.sub.Greeter/SayHello');
    expect(pathOf('pkg.Greeter.sayHello', 'other')).toBe('/pkg.Greeter/SayHello');
    expect(pathOf('Greeter.sayHello', undefined)).toBe('/Greeter/SayHello');
    expect(endpointOf(pathOf('Greeter.sayHello', 'p'))).toBe('Greeter.sayHello');
  });

  it('keeps a method spelled lower-case: path → endpoint, and an endpoint that is a path goes as it is', () => {
    expect(endpointOf('/pkg.Greeter/sayHello')).toBe('Greeter.sayHello');
    expect(pathOf('/pkg.Greeter/sayHello', 'other')).toBe('/pkg.Greeter/sayHello');
  });

  it('refuses malformed paths', () => {
    for (const p of ['', '/', '//x', '/Greeter', '/Greeter/', '/a/b/c', 'Greeter/SayHello', '/pkg./X'])
      expect(endpointOf(p)).toBeUndefined();
  });

  it('maps content types', () => {
    expect(codecContentType('application/grpc')).toBe('application/protobuf');
    expect(codecContentType('application/grpc+proto')).toBe('application/protobuf');
    expect(codecContentType('application/grpc+json')).toBe('application/json');
    expect(codecContentType('application/grpc+msgpack; charset=x')).toBe('application/msgpack');
    expect(codecContentType('application/grpcx')).toBeUndefined();
    expect(codecContentType('text/plain')).toBeUndefined();
    expect(grpcContentType('application/protobuf')).toBe('application/grpc');
    expect(grpcContentType('application/json')).toBe('application/grpc+json');
  });
});

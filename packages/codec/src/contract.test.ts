import { bytes } from './bytes.js';
import { json } from './json.js';
import { msgpack, msgpackCodec } from './msgpack.js';
import { runCodecContract } from './testing/index.js';

runCodecContract({ codec: json });
runCodecContract({ codec: msgpack });
runCodecContract({ codec: msgpackCodec() });
runCodecContract({ codec: bytes, samples: [new Uint8Array(), new Uint8Array([0, 1, 254, 255])], structured: false });

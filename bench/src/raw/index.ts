export { connectRaw, type RawClient, splitAddress } from './client.js';
export { createFrameReader, encodeFrame, type FrameReader, MAX_FRAME } from './frame.js';
export { type RawServer, startRawServer } from './server.js';

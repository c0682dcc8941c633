// Internal entry: pieces that tests and benchmarks drive directly. Not public API.
export * from './index.js';
export { Keepalive, type KeepaliveHooks } from './keepalive.js';
export { WriteQueue } from './write-queue.js';
export { chooseVersion, monitorTimeout, traceEnabled, parseHello, parseHelloAck, checkSettings } from './settings.js';
export { SUPPORTED_VERSIONS } from './frame.js';
export { createMemoryLink, type MemoryLink } from './memory-link.js';

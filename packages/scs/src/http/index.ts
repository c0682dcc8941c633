// The SCS HTTP API (CONTRACT.md section 5).
export { startHttpApi, MAX_BODY_BYTES, type HttpApi, type HttpApiOptions } from './server.js';
export { DEFAULT_EVENT_STREAM_OPTIONS, type EventStreamOptions } from './event-stream.js';
export { HttpError } from './responses.js';

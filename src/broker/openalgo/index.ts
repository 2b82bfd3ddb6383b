export { OpenAlgoBroker, OpenAlgoTransportError } from './client.js';
export type { OpenAlgoBrokerOptions, OpenAlgoCallEvent } from './client.js';
export { startOpenAlgoServer } from './server.js';
export type { OpenAlgoServer, OpenAlgoServerOptions } from './server.js';
export { RateLimiter } from './limiter.js';
export type { Release } from './limiter.js';
export type { OpenAlgoLogger } from './logger.js';
export { ANSWER_SCHEMAS } from './schemas.js';
export { OPERATIONS as REQUEST_OPERATIONS } from './requests.js';

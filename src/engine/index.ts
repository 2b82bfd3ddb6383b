// The engine: runs one workflow once, with no database (flow run and the tests use it directly).
export { compileWorkflow, type CompiledWorkflow, type CompiledNode, type CompiledEdge } from './compile.js';
export { runWorkflow, type RunOptions } from './run.js';
export { prepareParams, invokeNode, sleep, NodeFailure, ParamError, type PrepareOptions } from './node.js';
export { OrderRefused } from './orders.js';
export { redact, withoutSecret, REDACTED } from './redact.js';
export * from './types.js';

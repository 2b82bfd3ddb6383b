// The workflow model: schemas, validation, import/export in OpenAlgo's JSON format.
export * from './schema.js';
export { validateWorkflow, checkFields, type ValidationResult, type NodeLookup } from './validate.js';
export { normalizeData } from './normalize.js';
export { parseWorkflowText, exportWorkflow } from './io.js';

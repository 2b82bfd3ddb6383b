// The workflow model's format is part of src/contract/ (the editor reads the same definitions);
// workflow/ keeps exporting it so its users need not know where it lives.
export * from '../contract/workflow.js';

// JSON schemas the /api routes share. Every number a client sends has a bound the store can hold;
// every answer's schema is generated from its definition in src/contract/api.ts (which the UI's
// types come from too).

import * as answers from '../../contract/api.js';
import { responseSchema } from '../../contract/api.js';

export const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 100 } }, required: ['id'] } as const;

export const workflowBody = {
  type: 'object',
  required: ['name', 'nodes', 'edges'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 5000 },
    nodes: { type: 'array', maxItems: 500, items: { type: 'object' } },
    edges: { type: 'array', maxItems: 2000, items: { type: 'object' } },
    viewport: { type: 'object' },
  },
} as const;

/** POST /api/workflows: only a name is needed (an empty draft, OpenAlgo's "New Strategy"). */
export const newWorkflowBody = { ...workflowBody, required: ['name'] } as const;

/** What a 500-node, 1000-edge workflow needs, with room; other /api bodies keep the server's small limit. */
export const WORKFLOW_BODY_LIMIT = 8 * 1024 * 1024;

export const limitsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    maxQuantityPerOrder: { type: 'integer', minimum: 1, maximum: 1e9 },
    maxOrdersPerRun: { type: 'integer', minimum: 1, maximum: 1e9 },
    maxOrdersPerDay: { type: 'integer', minimum: 1, maximum: 1e9 },
  },
} as const;

export const errorAnswer = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} }, required: ['code', 'message'] } },
} as const;

/** A body (or an answer) of any JSON object. */
export const looseObject = { type: 'object', additionalProperties: true } as const;

export const accepted = responseSchema(answers.accepted);
export const rerunAccepted = responseSchema(answers.rerunAccepted);
export const runAnswer = responseSchema(answers.runAnswer);
export const activation = responseSchema(answers.activation);
export const deactivation = responseSchema(answers.deactivation);
export const enabled = responseSchema(answers.enabled);
export const webhookAnswer = responseSchema(answers.webhookInfo);
export const workflowDetail = responseSchema(answers.workflowDetail);
export const workflowList = responseSchema(answers.workflowList);
export const validation = responseSchema(answers.validation);
export const versionList = responseSchema(answers.versionList);
export const version = responseSchema(answers.version);
export const executionDetail = responseSchema(answers.executionDetail);
export const executionList = responseSchema(answers.executionList);
export const unknownOrders = responseSchema(answers.unknownOrders);
export const orderRecord = responseSchema(answers.orderRecord);
export const catalogue = responseSchema(answers.catalogue);
export const health = responseSchema(answers.health);

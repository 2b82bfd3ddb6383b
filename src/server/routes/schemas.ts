// JSON schemas the /api routes share. Every number a client sends has a bound the store can hold.

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

export const looseObject = { type: 'object', additionalProperties: true } as const;

export const accepted = {
  type: 'object', required: ['executionId', 'status'],
  properties: { executionId: { type: 'string' }, status: { type: 'string' }, duplicate: { type: 'boolean' } },
} as const;

export const activation = {
  type: 'object', required: ['id', 'active', 'version', 'webhook'],
  properties: {
    id: { type: 'string' }, active: { type: 'boolean' }, version: { type: 'integer' },
    webhook: {
      type: ['object', 'null'], required: ['url', 'token', 'secret', 'authType'],
      properties: { url: { type: 'string' }, token: { type: 'string' }, secret: { type: 'string' }, authType: { type: 'string', enum: ['payload', 'url', 'hmac'] } },
    },
  },
} as const;

export const enabled = { type: 'object', required: ['enabled'], properties: { enabled: { type: 'boolean' } } } as const;

/** A workflow's webhook as the management routes answer it. */
export const webhookAnswer = {
  type: 'object', required: ['url', 'token', 'secret', 'authType', 'enabled'],
  properties: {
    url: { type: 'string' }, token: { type: 'string' }, secret: { type: 'string' },
    authType: { type: 'string', enum: ['payload', 'url', 'hmac'] }, enabled: { type: 'boolean' },
  },
} as const;

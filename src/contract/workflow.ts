// The workflow format: OpenAlgo Flow editor JSON (DESIGN.md §3), as the server validates it and the
// editor edits it. UI-only fields are kept untouched.

import { z } from 'zod';

export const nodeSchema = z.looseObject({
  id: z.string().min(1, 'node id must not be empty'),
  type: z.string().min(1, 'node type must not be empty'),
  position: z.looseObject({ x: z.number(), y: z.number() }).default({ x: 0, y: 0 }),
  data: z.record(z.string(), z.unknown()).default({}),
});

export const edgeSchema = z.looseObject({
  id: z.string().min(1, 'edge id must not be empty'),
  source: z.string().min(1),
  target: z.string().min(1),
  sourceHandle: z.string().nullish(),
  targetHandle: z.string().nullish(),
});

export const workflowSchema = z.looseObject({
  name: z.string().min(1, 'name is required'),
  description: z.string().optional(),
  nodes: z.array(nodeSchema),
  edges: z.array(edgeSchema),
  viewport: z.looseObject({ x: z.number(), y: z.number(), zoom: z.number() }).optional(),
});

export type WorkflowNode = z.infer<typeof nodeSchema>;
export type WorkflowEdge = z.infer<typeof edgeSchema>;
export type Workflow = z.infer<typeof workflowSchema>;

export type ProblemCode =
  | 'invalid_format'
  | 'unknown_node_type'
  | 'duplicate_node_id'
  | 'duplicate_edge_id'
  | 'dangling_edge'
  | 'cycle'
  | 'no_trigger'
  | 'unreachable_node'
  | 'invalid_handle'
  | 'invalid_field'
  | 'gate_inputs';

/** One validation finding; errors make a workflow invalid, warnings do not. */
export interface Problem {
  code: ProblemCode;
  severity: 'error' | 'warning';
  message: string;
  nodeId?: string;
  edgeId?: string;
  field?: string;
}

// The versions frozen at each activation (DESIGN.md §8): list them, read one (optionally as a
// node-level diff against the draft), and restore one as the draft. Restoring never activates:
// an active workflow keeps running its frozen version until it is activated again.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FlowError, notFound } from '../../errors.js';
import type { WorkflowDefinition } from '../../store/types.js';
import { validateWorkflow } from '../../workflow/index.js';
import type { ApiDeps } from '../api.js';
import { presentWorkflow } from '../present.js';
import { idParams, looseObject } from './schemas.js';

const versionParams = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 100 }, version: { type: 'integer', minimum: 1, maximum: 1e9 } },
  required: ['id', 'version'],
} as const;

type VersionReq = FastifyRequest<{ Params: { id: string; version: number }; Querystring: { against?: 'draft' } }>;

interface NodeLike { id?: unknown; type?: unknown; data?: unknown }
interface EdgeLike { source?: unknown; target?: unknown; sourceHandle?: unknown; targetHandle?: unknown }

// An edge is named by what it joins (editors re-number edge ids on every save).
const edgeKey = (e: EdgeLike) => `${String(e.source)}${e.sourceHandle ? `:${String(e.sourceHandle)}` : ''}->${String(e.target)}${e.targetHandle ? `:${String(e.targetHandle)}` : ''}`;

/** What the draft changed relative to a version: node ids added, removed, changed (type or data), and edges. */
export function diffDefinitions(from: WorkflowDefinition, to: WorkflowDefinition) {
  const nodes = (d: WorkflowDefinition) => new Map((d.nodes as NodeLike[]).map((n) => [String(n.id), JSON.stringify([n.type, n.data ?? {}])]));
  const a = nodes(from);
  const b = nodes(to);
  const ea = new Set((from.edges as EdgeLike[]).map(edgeKey));
  const eb = new Set((to.edges as EdgeLike[]).map(edgeKey));
  return {
    added: [...b.keys()].filter((id) => !a.has(id)),
    removed: [...a.keys()].filter((id) => !b.has(id)),
    changed: [...b.keys()].filter((id) => a.has(id) && a.get(id) !== b.get(id)),
    edges: { added: [...eb].filter((k) => !ea.has(k)), removed: [...ea].filter((k) => !eb.has(k)) },
  };
}

const versionList = {
  type: 'object', required: ['versions'],
  properties: {
    activeVersion: { type: ['integer', 'null'] },
    versions: {
      type: 'array',
      items: {
        type: 'object', required: ['version', 'createdAt', 'nodes', 'edges', 'active'],
        properties: {
          version: { type: 'integer' }, createdAt: { type: 'string' }, activatedAt: { type: 'string' },
          nodes: { type: 'integer' }, edges: { type: 'integer' }, active: { type: 'boolean' },
        },
      },
    },
  },
} as const;

export async function versionRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store, registry } = deps;
  const getWorkflow = async (id: string) => {
    const wf = await store.getWorkflow(id);
    if (!wf) throw notFound('workflow', id);
    return wf;
  };
  const getVersion = async (id: string, n: number) => {
    const v = await store.getVersion(id, n);
    if (!v) throw new FlowError('not_found', `workflow ${id} has no version ${n}`, 404);
    return v;
  };

  // Newest first. A version is frozen when it is activated, so its creation is its activation.
  app.get('/workflows/:id/versions', { schema: { params: idParams, response: { 200: versionList } } }, async (req: FastifyRequest<{ Params: { id: string } }>) => {
    const wf = await getWorkflow(req.params.id);
    const versions = await Promise.all((await store.listVersions(wf.id)).reverse().map(async ({ version, createdAt }) => {
      const def = (await store.getVersion(wf.id, version))!.definition;
      const at = new Date(createdAt).toISOString();
      return { version, createdAt: at, activatedAt: at, nodes: def.nodes.length, edges: def.edges.length, active: wf.active && wf.activeVersion === version };
    }));
    return { activeVersion: wf.active ? wf.activeVersion : null, versions };
  });

  // The frozen definition a run ran (the run viewer draws this, not the newer draft).
  app.get('/workflows/:id/versions/:version', {
    schema: { params: versionParams, querystring: { type: 'object', additionalProperties: false, properties: { against: { type: 'string', enum: ['draft'] } } }, response: { 200: looseObject } },
  }, async (req: VersionReq) => {
    const wf = await getWorkflow(req.params.id);
    const v = await getVersion(wf.id, req.params.version);
    const shown = { id: v.workflowId, version: v.version, definition: v.definition, createdAt: new Date(v.createdAt).toISOString() };
    return req.query.against === 'draft' ? { ...shown, diff: diffDefinitions(v.definition, wf.definition) } : shown;
  });

  app.post('/workflows/:id/versions/:version/restore', { schema: { params: versionParams, response: { 200: looseObject } } }, async (req: VersionReq) => {
    const wf = await getWorkflow(req.params.id);
    const v = await getVersion(wf.id, req.params.version);
    const restored = (await store.updateWorkflow(wf.id, { definition: v.definition }))!;
    // Drafts are compiled per run; the active version's triggers and settings stay as they are.
    deps.service.invalidate(wf.id);
    return { ...presentWorkflow(restored, deps.publicUrl()), restoredFrom: v.version, problems: validateWorkflow(restored.definition, registry).problems };
  });
}

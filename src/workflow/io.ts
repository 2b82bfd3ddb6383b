// Reading and writing workflows in OpenAlgo's import/export format.

import type { Workflow } from './schema.js';

export type ParseOutcome = { ok: true; value: unknown } | { ok: false; message: string };

/** Parses workflow JSON text; the message says what is wrong in one line (no stack trace). */
export function parseWorkflowText(text: string): ParseOutcome {
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(clean) };
  } catch (e) {
    return { ok: false, message: `not valid JSON (${(e as Error).message})` };
  }
}

/** The OpenAlgo export shape: name, description, nodes, edges, viewport (UI fields on nodes kept). */
export function exportWorkflow(wf: Workflow): Workflow {
  const out: Workflow = { name: wf.name, description: wf.description ?? '', nodes: wf.nodes, edges: wf.edges };
  if (wf.viewport) out.viewport = wf.viewport;
  return out;
}

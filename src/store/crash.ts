// What a crash leaves behind, worded once for every place that recovers runs: a restart (SQLite and
// PostgreSQL stores) and a dead process of a cluster (src/cluster/recovery.ts).

export const UNKNOWN_INTENT_ERROR =
  'no broker answer was recorded: Flow stopped while this order was being sent. Check the broker order book; it is never re-sent';
export const NOT_SENT_INTENT_ERROR =
  'not sent: Flow stopped while this order waited for a rate-limit slot, before it left Flow. It was not placed and is never re-sent';

export interface NodeRef {
  nodeId: string;
  nodeType: string | null;
}

/**
 * The node a crashed run was in: the order in flight names it most precisely (its node's type when the
 * run's marker points at the same node, else the order's method), else the run's in-flight marker.
 */
export function crashedNode(order: { nodeId: string; nodeType: string } | undefined, marker: { nodeId: string | null; nodeType: string | null }): NodeRef | null {
  if (order) return { nodeId: order.nodeId, nodeType: order.nodeId === marker.nodeId && marker.nodeType ? marker.nodeType : order.nodeType };
  return marker.nodeId ? { nodeId: marker.nodeId, nodeType: marker.nodeType } : null;
}

/** The error a crashed run is stored with; `lastStep` is read only when no node was in flight. */
export function crashError(node: NodeRef | null, lastStep: { nodeId: string; nodeType: string } | null | undefined): string {
  if (node) return `crashed while running ${node.nodeId}${node.nodeType ? ` (${node.nodeType})` : ''}`;
  return lastStep ? `crashed after ${lastStep.nodeId} (${lastStep.nodeType}) finished` : 'crashed before its first node finished';
}

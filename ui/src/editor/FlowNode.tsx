// One node on the canvas (editor and run viewer): category colour, title, key facts, handles,
// and either its validation problems or its step status.

import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { sourceHandles, targetHandles } from './graph';
import { nodeSummary, outputName } from './summary';
import { useNodeView } from './view';

const STEP_ICON: Record<string, string> = { completed: '✓', failed: '✕', skipped: '–', running: '●' };
const spread = (i: number, n: number) => `${((i + 0.5) / n) * 100}%`;

function FlowNodeView({ id, type, data }: NodeProps) {
  const { catalogue, problems, steps } = useNodeView();
  const def = catalogue.get(type);
  const params = data as Record<string, unknown>;
  const mine = problems?.get(id) ?? [];
  const errors = mine.filter((p) => p.severity === 'error');
  const step = steps ? steps.get(id) ?? 'none' : null;
  const outs = sourceHandles(def, params);
  const ins = targetHandles(def, params);
  const category = def?.category ?? 'unknown';
  const classes = ['fnode', `cat-${category}`];
  if (step) classes.push('step', `step-${step}`);
  else if (errors.length) classes.push('has-error');
  else if (mine.length) classes.push('has-warning');
  const title = String(params.label || def?.label || type);
  const labelled = outs.some((h) => h !== null);

  return (
    <div className={classes.join(' ')} data-testid={`node-${id}`} data-type={type} data-step={step ?? undefined} data-problems={mine.length || undefined}>
      {ins.map((h, i) => (
        <Handle key={h ?? 'in'} type="target" position={Position.Top} id={h ?? undefined} className={h ? 'h-input' : undefined} style={{ left: spread(i, ins.length) }} />
      ))}
      {ins.length > 1 && ins.map((h, i) => <span key={`l${h}`} className="gate-slot" style={{ left: spread(i, ins.length) }}>{i + 1}</span>)}
      <div className="fnode-head">
        {step && step !== 'none' && <span className="step-icon" title={step}>{STEP_ICON[step]}</span>}
        <span className="fnode-title" title={title}>{title}</span>
        <span className="fnode-cat">{def ? category : 'unknown'}</span>
      </div>
      <div className="fnode-type">{id} · {type}{outputName(params) && <span className="fnode-out" title="Its output, as later nodes reference it"> → {outputName(params)}</span>}</div>
      <div className="fnode-body">
        {!def && <div className="fnode-row"><span className="v" style={{ color: '#fca5a5' }}>unknown node type</span></div>}
        {nodeSummary(def, params).map(([k, v], i) => (
          <div className="fnode-row" key={i}>{k && <span className="k">{k}</span>}<span className="v" title={v}>{v}</span></div>
        ))}
      </div>
      {labelled && (
        <div className="fnode-handles">
          {outs.map((h) => <span key={h ?? 'out'} className={`h-${h}`}>{h ?? ''}</span>)}
        </div>
      )}
      {outs.map((h, i) => (
        <Handle key={h ?? 'out'} type="source" position={Position.Bottom} id={h ?? undefined} className={h ? `h-${h}` : undefined} style={{ left: spread(i, outs.length) }} />
      ))}
      {!step && mine.length > 0 && (
        <span className={`fnode-badge ${errors.length ? '' : 'warning'}`} title={mine.map((p) => p.message).join('\n')}>{mine.length}</span>
      )}
    </div>
  );
}

export const FlowNode = memo(FlowNodeView);

/** Every type renders with FlowNode; unknown types included, so they show as unknown instead of vanishing. */
export function nodeTypesFor(types: Iterable<string>): Record<string, typeof FlowNode> {
  const out: Record<string, typeof FlowNode> = {};
  for (const t of types) out[t] = FlowNode;
  return out;
}

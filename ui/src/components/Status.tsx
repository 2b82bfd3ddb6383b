import type { ExecutionStatus, StepStatus } from '../types';

export function Status({ status, label }: { status: ExecutionStatus | StepStatus | 'running' | string; label?: string }) {
  return <span className={`status st-${status}`} data-status={status}><span className="dot" />{label ?? status}</span>;
}

// The versions frozen at each activation, newest first, each restorable as the draft.

import { useEffect, useState } from 'react';
import { api } from '../api';
import { clock } from '../format';
import type { VersionInfo } from '../types';

export function VersionsSection({ workflowId, refresh, onRestore }: { workflowId: string; refresh: unknown; onRestore: (version: number) => void }) {
  const [versions, setVersions] = useState<VersionInfo[] | null>(null);
  useEffect(() => {
    let live = true;
    api.versions(workflowId).then((v) => live && setVersions(v), () => live && setVersions([]));
    return () => {
      live = false;
    };
  }, [workflowId, refresh]);
  return (
    <div className="side-section" data-testid="versions">
      <h3>Versions</h3>
      {!versions?.length
        ? <div className="muted">None yet: each activation freezes one.</div>
        : versions.map((v) => (
          <div key={v.version} className="row" data-testid={`version-${v.version}`} style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
            <span className="mono">v{v.version}</span>
            <span className="muted">{clock(v.activatedAt)} · {v.nodes} nodes</span>
            {v.active && <span className="pill">active</span>}
            <span className="grow" style={{ flex: 1 }} />
            <button onClick={() => onRestore(v.version)} title="Make this version the draft (activate to run it)">Restore</button>
          </div>
        ))}
    </div>
  );
}

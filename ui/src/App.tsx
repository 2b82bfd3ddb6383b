import { lazy, Suspense, useEffect, useState } from 'react';
import { getToken, onTokenChange } from './api';
import { TokenGate } from './components/TokenGate';
import { ToastProvider } from './components/Toast';
import { TopBar, useKillSwitch } from './components/TopBar';
import { AlertsPage } from './pages/AlertsPage';
import { EditorPage } from './pages/EditorPage';
import { ExecutionsPage } from './pages/ExecutionsPage';
import './pages/cockpit.css';
import { PaperPage } from './pages/PaperPage';
import { RunsPage } from './pages/RunsPage';
import { TodayPage } from './pages/TodayPage';
import { WorkflowsPage } from './pages/WorkflowsPage';
import { Link, useRoute } from './router';

// The charting library loads with the Rehearse page only.
const RehearsePage = lazy(() => import('./pages/RehearsePage').then((m) => ({ default: m.RehearsePage })));

export function App() {
  const [token, setTokenState] = useState(getToken);
  useEffect(() => onTokenChange(setTokenState), []);
  return <ToastProvider>{token ? <Shell /> : <TokenGate />}</ToastProvider>;
}

function Shell() {
  const route = useRoute();
  const kill = useKillSwitch();
  return (
    <div className="app">
      <TopBar route={route} kill={kill} />
      {kill.enabled && <div className="kill-banner" data-testid="kill-banner">Kill switch is ON: every order is refused until it is turned off.</div>}
      <main className="content">
        {route.page === 'workflows' && <WorkflowsPage />}
        {route.page === 'editor' && <EditorPage key={route.id} id={route.id} />}
        {route.page === 'runs' && <RunsPage key={route.id} id={route.id} executionId={route.executionId} />}
        {route.page === 'rehearse' && <Suspense fallback={<div className="page"><div className="empty">Loading…</div></div>}><RehearsePage key={route.id} id={route.id} /></Suspense>}
        {route.page === 'paper' && <PaperPage />}
        {route.page === 'today' && <TodayPage kill={kill} />}
        {route.page === 'alerts' && <AlertsPage />}
        {route.page === 'executions' && <ExecutionsPage search={route.search} />}
        {route.page === 'notFound' && (
          <div className="page"><div className="empty">Nothing at {route.path}. <Link to={{ page: 'workflows' }}>Back to workflows</Link></div></div>
        )}
      </main>
    </div>
  );
}

// A small history-API router: the server answers index.html for every UI path, so deep links work.

import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';

export type Route =
  | { page: 'workflows' }
  | { page: 'editor'; id: string }
  | { page: 'runs'; id: string; executionId?: string }
  | { page: 'rehearse'; id: string }
  | { page: 'paper' }
  | { page: 'today' }
  | { page: 'alerts' }
  /** `search`: the filters, as the page's query string (`status=failed&from=…`), kept in the URL so a link can carry them. */
  | { page: 'executions'; search?: string }
  | { page: 'notFound'; path: string };

/** Maps a path to a page; the inverse of `href`. */
export function parseRoute(url: string): Route {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const parts = path.replace(/\/+$/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'workflows')) return { page: 'workflows' };
  if (parts[0] === 'paper' && parts.length === 1) return { page: 'paper' };
  if (parts[0] === 'today' && parts.length === 1) return { page: 'today' };
  if (parts[0] === 'alerts' && parts.length === 1) return { page: 'alerts' };
  if (parts[0] === 'executions' && parts.length === 1) return query ? { page: 'executions', search: query } : { page: 'executions' };
  if (parts[0] === 'workflows' && parts.length === 2) return { page: 'editor', id: parts[1] };
  if (parts[0] === 'workflows' && parts[2] === 'rehearse' && parts.length === 3) return { page: 'rehearse', id: parts[1] };
  if (parts[0] === 'workflows' && parts[2] === 'runs' && parts.length <= 4) return { page: 'runs', id: parts[1], executionId: parts[3] };
  return { page: 'notFound', path };
}

export function href(route: Route): string {
  switch (route.page) {
    case 'workflows': return '/';
    case 'paper': return '/paper';
    case 'today': return '/today';
    case 'alerts': return '/alerts';
    case 'executions': return `/executions${route.search ? `?${route.search}` : ''}`;
    case 'editor': return `/workflows/${encodeURIComponent(route.id)}`;
    case 'runs': return `/workflows/${encodeURIComponent(route.id)}/runs${route.executionId ? `/${encodeURIComponent(route.executionId)}` : ''}`;
    case 'rehearse': return `/workflows/${encodeURIComponent(route.id)}/rehearse`;
    case 'notFound': return route.path;
  }
}

const listeners = new Set<() => void>();

export function navigate(to: string | Route, replace = false): void {
  const url = typeof to === 'string' ? to : href(to);
  if (url === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  for (const fn of listeners) fn();
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname + location.search));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname + location.search));
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

export function Link({ to, className, children, title }: { to: Route; className?: string; children: ReactNode; title?: string }) {
  const url = href(to);
  const onClick = (e: MouseEvent) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(url);
  };
  return <a href={url} className={className} onClick={onClick} title={title}>{children}</a>;
}

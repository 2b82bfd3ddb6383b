// A small history-API router: the server answers index.html for every UI path, so deep links work.

import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';

export type Route =
  | { page: 'workflows' }
  | { page: 'editor'; id: string }
  | { page: 'runs'; id: string; executionId?: string }
  | { page: 'rehearse'; id: string }
  | { page: 'paper' }
  | { page: 'notFound'; path: string };

/** Maps a path to a page; the inverse of `href`. */
export function parseRoute(path: string): Route {
  const parts = path.replace(/\/+$/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'workflows')) return { page: 'workflows' };
  if (parts[0] === 'paper' && parts.length === 1) return { page: 'paper' };
  if (parts[0] === 'workflows' && parts.length === 2) return { page: 'editor', id: parts[1] };
  if (parts[0] === 'workflows' && parts[2] === 'rehearse' && parts.length === 3) return { page: 'rehearse', id: parts[1] };
  if (parts[0] === 'workflows' && parts[2] === 'runs' && parts.length <= 4) return { page: 'runs', id: parts[1], executionId: parts[3] };
  return { page: 'notFound', path };
}

export function href(route: Route): string {
  switch (route.page) {
    case 'workflows': return '/';
    case 'paper': return '/paper';
    case 'editor': return `/workflows/${encodeURIComponent(route.id)}`;
    case 'runs': return `/workflows/${encodeURIComponent(route.id)}/runs${route.executionId ? `/${encodeURIComponent(route.executionId)}` : ''}`;
    case 'rehearse': return `/workflows/${encodeURIComponent(route.id)}/rehearse`;
    case 'notFound': return route.path;
  }
}

const listeners = new Set<() => void>();

export function navigate(to: string | Route, replace = false): void {
  const url = typeof to === 'string' ? to : href(to);
  if (url === location.pathname) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  for (const fn of listeners) fn();
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname));
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

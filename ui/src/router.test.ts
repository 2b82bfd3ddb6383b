import { describe, expect, it } from 'vitest';
import { href, parseRoute, type Route } from './router';

describe('routes', () => {
  it('round-trip every page through its path', () => {
    const routes: Route[] = [
      { page: 'workflows' }, { page: 'paper' }, { page: 'editor', id: 'wf_1' },
      { page: 'runs', id: 'wf_1', executionId: undefined }, { page: 'runs', id: 'wf 2', executionId: 'abc-1' },
      { page: 'today' }, { page: 'alerts' }, { page: 'executions' }, { page: 'executions', search: 'status=failed&from=2026-11-27' }, { page: 'rehearse', id: 'wf_1' },
    ];
    for (const r of routes) expect(parseRoute(href(r))).toEqual(r);
  });

  it('send unknown paths to not found', () => {
    expect(parseRoute('/nope/deeper/still/more')).toEqual({ page: 'notFound', path: '/nope/deeper/still/more' });
  });
});

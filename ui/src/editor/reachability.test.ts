import { describe, expect, it } from 'vitest';
import { reachability } from './reachability';

describe('whether TradingView can reach a webhook URL', () => {
  it('refuses loopback, unspecified and private hosts, and ports other than 80 and 443', () => {
    for (const url of ['http://127.0.0.1:5000/flow/webhook/t', 'http://0.0.0.0:5060/flow/webhook/t', 'http://localhost/flow/webhook/t',
      'http://192.168.1.20/flow/webhook/t', 'http://10.0.0.5/x', 'http://172.20.1.1/x', 'http://[::1]:5000/x', 'http://flowbox/x']) {
      expect(reachability(url).problems[0], url).toMatch(/cannot reach/);
    }
    expect(reachability('https://flow.example.com:5000/flow/webhook/t').problems).toEqual(['TradingView posts only to ports 80 and 443, not 5000']);
    expect(reachability('http://127.0.0.1:5000/x').problems).toHaveLength(2);
  });

  it('accepts a public https address on the default port, and only notes plain http', () => {
    expect(reachability('https://flow.example.com/flow/webhook/t').problems).toEqual([]);
    expect(reachability('https://172.32.0.1/x').problems).toEqual([]);
    expect(reachability('http://flow.example.com/flow/webhook/t').problems[0]).toMatch(/unencrypted/);
  });
});

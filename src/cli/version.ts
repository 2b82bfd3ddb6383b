// `flow --version`: Flow's version and the Node that runs it, and the older Node it was started
// from when bin/flow.js had to re-run itself on the project's own Node (FLOW_STARTED_BY_NODE).

import { readFileSync } from 'node:fs';

/** src/cli/ and dist/cli/ both sit two levels below package.json: this holds for the sources and the build. */
export function flowVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export function versionLine(env: NodeJS.ProcessEnv = process.env, node = process.version): string {
  const startedBy = env.FLOW_STARTED_BY_NODE;
  const from = startedBy && startedBy !== node ? `, the project's own Node: started by node ${startedBy}, too old for Flow` : '';
  return `flow ${flowVersion()} (node ${node}${from})`;
}

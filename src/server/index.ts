// `flow serve`: composes the store, broker, execution service, triggers and HTTP app, recovers
// after a crash, and shuts down gracefully on SIGTERM/SIGINT leaving no execution running.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBroker } from '../broker/factory.js';
import { OpenAlgoBroker } from '../broker/openalgo/index.js';
import { PaperBroker } from '../broker/paper/index.js';
import type { Broker } from '../broker/types.js';
import { knownSecrets, type Config } from '../config.js';
import { defaultRegistry } from '../nodes/registry.js';
import { createNotifier } from '../notify/index.js';
import { ExecutionService } from '../runtime/service.js';
import { TriggerHub } from '../runtime/triggers.js';
import { WorkflowManager } from '../runtime/workflows.js';
import { dataDirWarning, keepPrivate, makePrivateDir, openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { buildApp, type RouteInfo } from './app.js';
import { createLogger, type LogSink } from './log.js';
import { createMetrics, instrumentBroker, registerStreamMetrics } from './metrics.js';

export const VERSION = '0.1.0';

export interface RunningFlow {
  url: string;
  port: number;
  store: Store;
  broker: Broker;
  service: ExecutionService;
  workflows: WorkflowManager;
  triggers: TriggerHub;
  apiToken: string;
  /** Every HTTP route, as registered (the route-table auth test walks it). */
  routes: readonly RouteInfo[];
  /** Stops taking work, lets runs finish (or cancels them after graceMs), closes everything. */
  close(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  /** Print the start-up banner (URL, broker, data) to stdout. */
  banner?: boolean;
  /** Log level (default FLOW_LOG_LEVEL); tests pass a quiet level. */
  logLevel?: string;
  /** Log destination (default stdout); tests capture lines here. */
  logSink?: LogSink;
  /** Readable lines rather than JSON (default: when stdout is a terminal). */
  logPretty?: boolean;
  /** Price monitor tick; tests shorten it. */
  priceTickMs?: number;
  now?: () => Date;
  /** The built UI to serve (default ui/dist); tests pass their own. */
  uiDir?: string;
  /** all: HTTP and runs; web: HTTP only; worker: runs only (web and worker need FLOW_DATABASE_URL). */
  role?: 'all' | 'web' | 'worker';
}

/** The API token: FLOW_API_TOKEN, else a token kept in the data directory (created once, mode 0600). */
function loadApiToken(config: Config): { token: string; created: boolean } {
  if (config.apiToken) return { token: config.apiToken, created: false };
  const file = path.join(config.dataDir, 'api-token');
  if (fs.existsSync(file)) {
    keepPrivate(file);
    return { token: fs.readFileSync(file, 'utf8').trim(), created: false };
  }
  const token = randomBytes(24).toString('base64url');
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, created: true };
}

export async function startFlow(config: Config, opts: StartOptions = {}): Promise<RunningFlow> {
  const logger = createLogger({ level: opts.logLevel ?? config.logLevel, sink: opts.logSink, pretty: opts.logPretty });
  makePrivateDir(config.dataDir);
  const dirWarning = dataDirWarning(config.dataDir);
  if (dirWarning) logger.warn({ dataDir: config.dataDir }, dirWarning);
  const store = openStore({ dataDir: config.dataDir, secretKey: undefined, env: { ...process.env, ...(config.secretKey ? { FLOW_SECRET_KEY: config.secretKey } : {}) } });
  const { token: apiToken, created: tokenCreated } = loadApiToken(config);
  const now = opts.now ?? (() => new Date());

  const killSetting = store.getSetting('kill_switch');
  let killSwitch = config.killSwitch || killSetting === 'on';
  const kill = {
    get: () => killSwitch,
    set: (on: boolean) => {
      // FLOW_KILL_SWITCH=1 in the environment cannot be switched off over HTTP.
      const was = killSwitch;
      killSwitch = on || config.killSwitch;
      store.setSetting('kill_switch', killSwitch ? 'on' : 'off');
      if (was !== killSwitch) logger.warn({ killSwitch: killSwitch ? 'on' : 'off' }, killSwitch ? 'kill switch ON: orders are refused' : 'kill switch off: orders allowed');
      else if (on !== killSwitch) logger.warn({ killSwitch: 'on' }, 'kill switch stays on: FLOW_KILL_SWITCH=1 is set in the environment');
    },
  };

  // Paper account changes are saved before the event loop moves on (coalesced per tick).
  let paperDirty: unknown = null;
  const savePaper = (state: unknown) => {
    if (paperDirty === null) queueMicrotask(() => {
      const s = paperDirty;
      paperDirty = null;
      store.savePaperState(s);
    });
    paperDirty = state;
  };
  let service!: ExecutionService;
  const metrics = createMetrics(() => service?.depth ?? 0, () => service?.runningCount ?? 0);
  const rawBroker = await createBroker(config, {
    paperState: (store.loadPaperState() ?? undefined) as never,
    onPaperChange: savePaper,
    logger: logger.child({ part: 'broker' }),
  });
  const broker = instrumentBroker(rawBroker, metrics);
  if (rawBroker.kind === 'openalgo') {
    const check = (rawBroker as unknown as { checkConnection?: () => Promise<{ ok: boolean; message: string }> }).checkConnection;
    if (check) {
      const r = await check.call(rawBroker);
      (r.ok ? logger.info.bind(logger) : logger.warn.bind(logger))({}, r.message);
    }
  }
  const notifier = createNotifier({
    broker, openalgoUsername: config.openalgo.username, telegramBotToken: config.telegram.botToken,
    telegramChatId: config.telegram.chatId, telegramApiBase: config.telegram.apiBase,
  });

  // In OpenAlgo mode a workflow activated with its own API key trades on that key.
  const keyed = new Map<string, Broker>();
  const brokerFor = rawBroker instanceof OpenAlgoBroker
    ? (workflowId: string): Broker => {
      const key = store.getWorkflowSecrets(workflowId)?.brokerApiKey;
      if (!key) return broker;
      let b = keyed.get(key);
      if (!b) {
        b = instrumentBroker(new OpenAlgoBroker({
          host: config.openalgo.host!, apiKey: key, timeoutMs: config.openalgo.timeoutMs,
          orderRatePerSec: config.orderRateLimit, apiRatePerSec: config.apiRateLimit, logger: logger.child({ part: 'broker' }),
        }), metrics);
        keyed.set(key, b);
      }
      return b;
    }
    : undefined;
  service = new ExecutionService({
    store, broker, brokerFor, notifier, registry: defaultRegistry, timezone: config.timezone, now,
    maxParallel: config.maxParallel, killSwitch: kill.get, settings: { allowPrivateHttp: config.allowPrivateHttp },
    logger: logger.child({ part: 'runtime' }), secrets: [...knownSecrets(config), apiToken],
  });
  service.events.on('event', (_wf, e) => metrics.observe(e));

  let workflows!: WorkflowManager;
  const triggers = new TriggerHub({
    broker: rawBroker, store, timezone: config.timezone, now, priceTickMs: opts.priceTickMs,
    logger: logger.child({ part: 'triggers' }),
    fire: (workflowId, trigger) => {
      try {
        const accepted = workflows.fire(workflowId, trigger);
        // Settles when that run ends, so the trigger hub can hold back price ticks meanwhile.
        return accepted?.status === 'queued' && !accepted.duplicate ? service.wait(accepted.executionId) : undefined;
      } catch (e) {
        logger.error({ workflowId, err: (e as Error).message }, 'trigger could not start a run');
      }
    },
    retire: (workflowId, reason) => {
      setImmediate(() => {
        try {
          workflows.deactivate(workflowId);
          logger.info({ workflowId }, `deactivated: ${reason}`);
        } catch (e) {
          logger.error({ workflowId, err: (e as Error).message }, 'could not deactivate');
        }
      });
    },
  });

  registerStreamMetrics(metrics.registry, () => triggers.streamStatus());

  let publicUrl = `http://${config.host}:${config.port}`;
  workflows = new WorkflowManager({ store, service, registry: defaultRegistry, triggers, publicUrl: () => publicUrl, logger: logger.child({ part: 'workflows' }) });

  // Recovery before anything new runs: crashed runs and unknown orders are reported, never re-sent.
  const restored = workflows.restore((workflowId, message) => logger.warn({ workflowId }, `trigger not registered: ${message}`));
  const recovered = service.recover((id) => workflows.settings(id));
  if (recovered.crashed || recovered.unknownIntents || recovered.resumed || recovered.expired) logger.warn(recovered, 'recovered after an unclean stop');
  triggers.start();

  const paper = rawBroker instanceof PaperBroker ? rawBroker : undefined;
  const app = await buildApp({
    store, service, workflows, registry: defaultRegistry, broker: rawBroker, publicUrl: () => publicUrl, killSwitch: kill,
    paper: paper && {
      account: async () => ({ funds: await paper.funds(), positions: await paper.positionBook(), orders: await paper.orderBook(), trades: await paper.tradeBook() }),
      reset: () => paper.reset(),
    },
    version: VERSION, startedAt: Date.now(), metrics, apiToken, webhookRateLimit: config.webhookRateLimit,
    marketData: () => triggers.streamStatus(),
    logger: logger.child({ part: 'http' }),
    uiDir: opts.uiDir ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../ui/dist'),
  });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const listening = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  publicUrl = config.publicUrl ?? listening;

  // Retention runs in the background, in small batches.
  const prune = async () => {
    try {
      const r = await store.prune({ keepPerWorkflow: config.retention.keepPerWorkflow, maxAgeDays: config.retention.maxAgeDays });
      if (r.executions) logger.info(r, 'pruned old executions');
    } catch (e) {
      logger.error({ err: (e as Error).message }, 'retention failed');
    }
  };
  const pruneTimer = setInterval(prune, 3_600_000).unref();
  const firstPrune = setTimeout(prune, 60_000).unref();

  if (opts.banner !== false) {
    const lines = [
      `Flow ${VERSION} listening on ${listening}${config.publicUrl ? ` (webhooks at ${config.publicUrl})` : ''}`,
      `  broker:   ${rawBroker.description}${killSwitch ? '  (KILL SWITCH ON: orders refused)' : ''}`,
      `  data:     ${store.path}`,
      `  workflows active: ${restored}`,
      tokenCreated ? `  API token (shown once; also in ${path.join(config.dataDir, 'api-token')}): ${apiToken}` : `  API token: FLOW_API_TOKEN or ${path.join(config.dataDir, 'api-token')}`,
    ];
    console.log(lines.join('\n'));
  }

  let closing: Promise<void> | null = null;
  const close = (graceMs = 10_000) => (closing ??= (async () => {
    clearInterval(pruneTimer);
    clearTimeout(firstPrune);
    triggers.stop();
    // Stop accepting; requests in flight (a ?wait=true) are answered as their runs end.
    const httpClosed = app.close();
    await service.shutdown(graceMs);
    // A request still open shortly after the runs ended (a slow client) is cut rather than waited on.
    const margin = new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref());
    await Promise.race([httpClosed, margin]);
    app.server.closeAllConnections();
    await httpClosed;
    if (paperDirty !== null) store.savePaperState(paperDirty);
    store.close();
  })());

  return { url: listening, port, store, broker: rawBroker, service, workflows, triggers, apiToken, routes: app.routeTable, close };
}

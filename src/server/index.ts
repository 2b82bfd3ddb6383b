// `flow serve`: composes the store, broker, execution service, triggers and HTTP app, recovers
// after a crash, and shuts down gracefully on SIGTERM/SIGINT leaving no execution running.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenAlgoBroker } from '../broker/openalgo/index.js';
import { PaperBroker, type PaperState } from '../broker/paper/index.js';
import { BrokerPool } from '../broker/pool.js';
import type { Broker } from '../broker/types.js';
import { brokerSettings, knownSecrets, type Config } from '../config.js';
import { defaultRegistry } from '../nodes/registry.js';
import { createNotifier } from '../notify/index.js';
import { watchFailures } from '../runtime/on-failure.js';
import { paperStateSaver } from '../runtime/paper-state.js';
import { ExecutionService } from '../runtime/service.js';
import { TriggerHub } from '../runtime/trigger-hub.js';
import { WorkflowManager } from '../runtime/workflows.js';
import { dataDirWarning, keepPrivate, makePrivateDir, openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { buildApp, type RouteInfo } from './app.js';
import { createLogger, type LogSink } from './log.js';
import type { Member } from '../cluster/member.js';
import { LeaderTriggers } from '../cluster/triggers.js';
import { createMetrics, instrumentBroker, registerQueueMetrics, registerStreamMetrics } from './metrics.js';

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
  /** Print the start-up banner (URL, broker, data) to stdout: plain lines on a terminal, one JSON record otherwise. */
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

/** The kill switch: FLOW_KILL_SWITCH=1, or the stored setting (changed over HTTP, kept across restarts). */
async function killSwitch(config: Config, store: Store, logger: ReturnType<typeof createLogger>, announce?: (on: boolean) => void) {
  let on = config.killSwitch || (await store.getSetting('kill_switch')) === 'on';
  return {
    get: () => on,
    /** Another process changed it (several processes): the same here, without writing it again. */
    apply: (wanted: boolean) => {
      const was = on;
      on = wanted || config.killSwitch;
      if (was !== on) logger.warn({ killSwitch: on ? 'on' : 'off' }, on ? 'kill switch ON (set by another Flow process): orders are refused' : 'kill switch off (set by another Flow process)');
    },
    set: async (wanted: boolean) => {
      // FLOW_KILL_SWITCH=1 in the environment cannot be switched off over HTTP.
      const was = on;
      on = wanted || config.killSwitch;
      await store.setSetting('kill_switch', on ? 'on' : 'off');
      announce?.(on);
      if (was !== on) logger.warn({ killSwitch: on ? 'on' : 'off' }, on ? 'kill switch ON: orders are refused' : 'kill switch off: orders allowed');
      else if (wanted !== on) logger.warn({ killSwitch: 'on' }, 'kill switch stays on: FLOW_KILL_SWITCH=1 is set in the environment');
    },
  };
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
  // Readable lines on a terminal, JSON otherwise: the logger and the start-up banner alike.
  const logPretty = opts.logPretty ?? process.stdout.isTTY === true;
  const logger = createLogger({ level: opts.logLevel ?? config.logLevel, sink: opts.logSink, pretty: logPretty });
  makePrivateDir(config.dataDir);
  const dirWarning = dataDirWarning(config.dataDir);
  if (dirWarning) logger.warn({ dataDir: config.dataDir }, dirWarning);
  const store = await openStore({
    dataDir: config.dataDir, databaseUrl: config.databaseUrl,
    env: { ...process.env, ...(config.secretKey ? { FLOW_SECRET_KEY: config.secretKey } : {}) },
  });
  const { token: apiToken, created: tokenCreated } = loadApiToken(config);
  const now = opts.now ?? (() => new Date());
  // With FLOW_DATABASE_URL this process is one of several (DESIGN.md §9): runs are jobs, triggers follow a lock.
  const role = opts.role ?? 'all';
  let member: Member | undefined;
  // Loaded only for a cluster: a single SQLite process does not carry pg and graphile-worker (~5 MB).
  const cluster = config.databaseUrl ? await import('../cluster/member.js') : undefined;
  const kill = await killSwitch(config, store, logger, (on) => member?.announceKillSwitch(on));

  // Paper account changes are saved as they happen (the newest state, one write at a time).
  const paperSaver = paperStateSaver(store, (e) => logger.error({ err: e.message }, 'paper account not saved'));
  const metrics = createMetrics();
  const brokers = new BrokerPool(brokerSettings(config), {
    paperState: (await store.loadPaperState() ?? undefined) as PaperState | undefined,
    onPaperChange: paperSaver.save,
    logger: logger.child({ part: 'broker' }),
    decorate: (b) => instrumentBroker(b, metrics),
    orderGate: cluster ? cluster.orderGate(() => member, config.orderRateLimit) : undefined,
  });
  const rawBroker = brokers.raw;
  if (rawBroker instanceof OpenAlgoBroker) {
    const r = await rawBroker.checkConnection();
    (r.ok ? logger.info.bind(logger) : logger.warn.bind(logger))({}, r.message);
  }
  const notifier = createNotifier({
    broker: brokers.broker, openalgoUsername: config.openalgo.username, telegramBotToken: config.telegram.botToken,
    telegramChatId: config.telegram.chatId, telegramApiBase: config.telegram.apiBase,
  });

  const service = new ExecutionService({
    store, broker: brokers.broker,
    // In OpenAlgo mode a workflow activated with its own API key trades on that key.
    brokerFor: async (workflowId) => brokers.forKey((await store.getWorkflowSecrets(workflowId))?.brokerApiKey),
    notifier, registry: defaultRegistry, timezone: config.timezone, now,
    maxParallel: config.maxParallel, killSwitch: kill.get, settings: { allowPrivateHttp: config.allowPrivateHttp },
    logger: logger.child({ part: 'runtime' }), secrets: [...knownSecrets(config), apiToken],
    jobs: cluster ? cluster.runJobs(() => member) : undefined,
  });
  // Runs of other processes (their events relayed here for viewers) are theirs to count.
  service.events.on('event', (_wf, e, origin?: string) => origin !== 'remote' && metrics.observe(e));
  registerQueueMetrics(metrics.registry, service);

  const triggers = new TriggerHub({ broker: rawBroker, store, timezone: config.timezone, now, priceTickMs: opts.priceTickMs, logger: logger.child({ part: 'triggers' }) });
  registerStreamMetrics(metrics.registry, () => triggers.streamStatus());

  // Webhook URLs use the address Flow listens on, known once it listens (or FLOW_PUBLIC_URL).
  let publicUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
  const leaderTriggers = config.databaseUrl ? new LeaderTriggers(triggers, { timezone: config.timezone }) : undefined;
  const workflows = new WorkflowManager({
    store, service, registry: defaultRegistry, triggers: leaderTriggers ?? triggers, publicUrl: () => publicUrl, logger: logger.child({ part: 'workflows' }),
    onChange: (workflowId) => member?.announceWorkflow(workflowId),
  });
  triggers.connect({
    fire: async (workflowId, trigger) => {
      try {
        // One run per scheduled instant, whichever process fires it.
        const key = trigger.kind === 'schedule' ? `schedule:${trigger.nodeId}:${String(trigger.payload?.scheduled_for)}` : undefined;
        const accepted = await workflows.fire(workflowId, trigger, key);
        // Settles when that run ends, so the trigger hub can hold back price ticks meanwhile. Asked a
        // turn later, once the run has started (and sent its order): asked in the same turn, it put
        // 0.3–0.4 ms between the execution's commit and the run's start on the price-alert path
        // (bench/stream.ts traced, A/B: commit.done → engine.start 373 µs before, 19–28 µs after).
        if (accepted?.status === 'queued' && !accepted.duplicate) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          await service.wait(accepted.executionId);
        }
      } catch (e) {
        logger.error({ workflowId, err: (e as Error).message }, 'trigger could not start a run');
      }
    },
    retire: (workflowId, reason) => {
      setImmediate(() => {
        workflows.deactivate(workflowId).then(
          () => logger.info({ workflowId }, `deactivated: ${reason}`),
          (e: Error) => logger.error({ workflowId, err: e.message }, 'could not deactivate'),
        );
      });
    },
  });

  // A failed run starts its workflow's alert (another workflow, a Telegram message), as its settings say.
  const stopFailureAlerts = watchFailures({
    store, events: service.events, fire: (id, trigger) => workflows.fire(id, trigger), notifier,
    publicUrl: () => publicUrl, logger: logger.child({ part: 'alerts' }),
  });

  // Recovery before anything new runs: crashed runs and unknown orders are reported, never re-sent.
  const onProblem = (workflowId: string, message: string) => logger.warn({ workflowId }, `trigger not registered: ${message}`);
  let restored = 0;
  if (leaderTriggers && cluster) {
    // Recovery is per process (the dead ones' runs, by whoever notices); triggers arm when this process takes their lock.
    member = await cluster.joinCluster(leaderTriggers, {
      databaseUrl: config.databaseUrl!, role, concurrency: config.maxParallel, logger: logger.child({ part: 'cluster' }),
      runStored: (id) => service.runStored(id), events: service.events, settleRemote: (id) => service.settleRemote(id),
      cancelLocal: (id) => service.cancelLocal(id), reloadWorkflow: (id) => workflows.reload(id),
      restoreTriggers: async () => (restored = await workflows.restore(onProblem)),
      killSwitch: { apply: kill.apply, read: async () => config.killSwitch || (await store.getSetting('kill_switch')) === 'on' },
    });
  } else {
    restored = await workflows.restore(onProblem);
    const recovered = await service.recover((id) => workflows.settings(id));
    if (recovered.crashed || recovered.unknownIntents || recovered.resumed || recovered.expired) logger.warn(recovered, 'recovered after an unclean stop');
    triggers.start();
  }

  const paper = rawBroker instanceof PaperBroker ? rawBroker : undefined;
  const app = await buildApp({
    store, service, workflows, registry: defaultRegistry, broker: rawBroker, publicUrl: () => publicUrl, killSwitch: kill,
    paper: paper && {
      account: async () => ({ funds: await paper.funds(), positions: await paper.positionBook(), orders: await paper.orderBook(), trades: await paper.tradeBook() }),
      reset: () => paper.reset(),
    },
    version: VERSION, timezone: config.timezone, startedAt: Date.now(), metrics, apiToken, webhookRateLimit: config.webhookRateLimit,
    cluster: member?.apiHooks(config.webhookRateLimit),
    marketData: () => triggers.streamStatus(),
    rehearse: { dataDir: config.dataDir, timezone: config.timezone },
    logger: logger.child({ part: 'http' }),
    uiDir: opts.uiDir ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../ui/dist'),
  });
  // A worker answers no HTTP: it runs jobs only.
  if (role !== 'worker') await app.listen({ port: config.port, host: config.host });
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
    const headline = role === 'worker'
      ? `Flow ${VERSION} worker (runs jobs only), process ${member!.status().process}`
      : `Flow ${VERSION} listening on ${listening}${config.publicUrl ? ` (webhooks at ${config.publicUrl})` : ''}${member ? ` (role ${role}, process ${member.status().process})` : ''}`;
    const tokenFile = path.join(config.dataDir, 'api-token');
    const out = opts.logSink ?? process.stdout;
    if (logPretty) {
      const lines = [
        headline,
        `  broker:   ${rawBroker.description}${kill.get() ? '  (KILL SWITCH ON: orders refused)' : ''}`,
        `  data:     ${store.path}`,
        `  workflows active: ${restored}`,
        tokenCreated ? `  API token (shown once; also in ${tokenFile}): ${apiToken}` : `  API token: FLOW_API_TOKEN or ${tokenFile}`,
      ];
      out.write(`${lines.join('\n')}\n`);
    } else {
      // Not a terminal: the banner is one more JSON record, as every start-up warning before it is, so a
      // log collector reads each line. The API token stays out of logs: it is in its file (0600).
      out.write(`${JSON.stringify({
        level: 30, time: Date.now(), pid: process.pid, msg: `${headline} · broker ${rawBroker.kind}`, url: listening, publicUrl: config.publicUrl ?? null,
        broker: rawBroker.kind, brokerDescription: rawBroker.description, killSwitch: kill.get(), data: store.path, workflowsActive: restored,
        apiTokenFrom: config.apiToken ? 'FLOW_API_TOKEN' : tokenFile, apiTokenCreated: tokenCreated,
      })}\n`);
    }
  }

  let closing: Promise<void> | null = null;
  const close = (graceMs = 10_000) => (closing ??= (async () => {
    clearInterval(pruneTimer);
    clearTimeout(firstPrune);
    triggers.stop();
    // Stop accepting; requests in flight (a ?wait=true) are answered as their runs end.
    const httpClosed = app.close();
    // No new jobs; those running end (or are canceled) with the service.
    const jobsStopped = member?.stopJobs();
    await service.shutdown(graceMs);
    await jobsStopped;
    stopFailureAlerts();
    // A request still open shortly after the runs ended (a slow client) is cut rather than waited on.
    const margin = new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref());
    await Promise.race([httpClosed, margin]);
    app.server.closeAllConnections();
    await httpClosed;
    await paperSaver.flush();
    await member?.leave();
    await store.close();
  })());

  return { url: listening, port, store, broker: rawBroker, service, workflows, triggers, apiToken, routes: app.routeTable, close };
}

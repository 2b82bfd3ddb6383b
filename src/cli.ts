// The `flow` command (DESIGN.md §8): run, validate, rehearse, serve, import, export, migrate, paper-broker.

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { BrokerPool } from './broker/pool.js';
import type { PaperState } from './broker/paper/index.js';
import { formatProblems, formatRun } from './cli/print.js';
import { versionLine } from './cli/version.js';
import type { Broker } from './broker/types.js';
import { brokerSettings, ConfigError, knownSecrets, loadConfig, type Config } from './config.js';
import { compileWorkflow, runWorkflow, type RunResult, type TriggerInfo } from './engine/index.js';
import { defaultRegistry } from './nodes/registry.js';
import { createNotifier } from './notify/index.js';
import { exportWorkflow, parseWorkflowText, validateWorkflow, type ValidationResult, type Workflow } from './workflow/index.js';

/** Exit codes: 0 completed/valid, 1 failed, 2 invalid input. */
class Exit extends Error {
  constructor(readonly code: number, message?: string) {
    super(message ?? '');
  }
}

function readWorkflow(file: string): ValidationResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Exit(2, `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const parsed = parseWorkflowText(text);
  if (!parsed.ok) throw new Exit(2, `${file}: ${parsed.message}`);
  return validateWorkflow(parsed.value, defaultRegistry);
}

/** The configured store: PostgreSQL when FLOW_DATABASE_URL is set, else SQLite in the data directory. */
async function openConfiguredStore(config: Config) {
  const { openStore } = await import('./store/index.js');
  return openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
}

function parseJsonOption(name: string, text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('expected a JSON object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new Exit(2, `${name}: not a JSON object (${(e as Error).message})`);
  }
}

const program = new Command();
program.name('flow').description('Flow: run OpenAlgo Flow trading workflows').showHelpAfterError().exitOverride()
  .version(versionLine(), '-V, --version', "print Flow's version and the Node version it runs on");

program
  .command('validate')
  .description('check a workflow file; exit 0 valid, 2 invalid (every problem printed with its node id)')
  .argument('<file>', 'workflow JSON (OpenAlgo Flow format)')
  .option('--json', 'print the problems as JSON')
  .action((file: string, opts: { json?: boolean }) => {
    const v = readWorkflow(file);
    if (opts.json) console.log(JSON.stringify({ valid: v.valid, problems: v.problems }, null, 2));
    else if (v.valid) console.log(`${file}: valid${v.problems.length ? `, with warnings:\n${formatProblems(v.problems)}` : ''}`);
    else console.log(`${file}: invalid\n${formatProblems(v.problems)}`);
    if (!v.valid) throw new Exit(2);
  });

program
  .command('run')
  .description('run a workflow once; exit 0 completed, 1 failed, 2 invalid workflow')
  .argument('<file>', 'workflow JSON (OpenAlgo Flow format)')
  .option('--webhook <json>', 'run as a webhook delivery of this JSON payload')
  .option('--broker <kind>', 'paper (default) or openalgo')
  .option('--json', 'print the run result as JSON')
  .option('--data-dir <dir>', 'record the run (workflow, execution, steps, logs, orders) in this data directory')
  .action(async (file: string, opts: { webhook?: string; broker?: string; json?: boolean; dataDir?: string }) => {
    const v = readWorkflow(file);
    if (!v.valid) {
      console.error(`${file}: invalid\n${formatProblems(v.problems)}`);
      throw new Exit(2);
    }
    const payload = opts.webhook !== undefined ? parseJsonOption('--webhook', opts.webhook) : undefined;
    const config = loadConfig(process.env, { broker: opts.broker, dataDir: opts.dataDir });
    const trigger: TriggerInfo = payload ? { kind: 'webhook', payload } : { kind: 'manual' };
    const result = opts.dataDir ? await runRecorded(v.workflow!, trigger, config) : await runInMemory(v.workflow!, trigger, config);
    console.log(opts.json ? JSON.stringify(result, null, 2) : formatRun(v.workflow!.name, result));
    if (opts.dataDir && !opts.json) console.log(`\nrecorded in ${config.dataDir} (execution ${result.executionId})`);
    if (result.status !== 'completed') throw new Exit(1);
  });

/** Ctrl-C cancels the run at the next node boundary and aborts the node in flight. */
function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}

function notifierFor(broker: Broker, config: Config) {
  return createNotifier({
    broker, openalgoUsername: config.openalgo.username, telegramBotToken: config.telegram.botToken,
    telegramChatId: config.telegram.chatId, telegramApiBase: config.telegram.apiBase,
  });
}

async function runInMemory(workflow: Workflow, trigger: TriggerInfo, config: Config): Promise<RunResult> {
  const { broker } = new BrokerPool(brokerSettings(config));
  return runWorkflow(compileWorkflow(workflow, defaultRegistry), {
    broker, notifier: notifierFor(broker, config), signal: interruptSignal(), timezone: config.timezone,
    trigger, settings: { allowPrivateHttp: config.allowPrivateHttp },
  });
}

/** Runs through the execution service with a store: the workflow (by name), the execution and the paper account are kept. */
async function runRecorded(workflow: Workflow, trigger: TriggerInfo, config: Config): Promise<RunResult> {
  const { ExecutionService } = await import('./runtime/service.js');
  const { paperStateSaver } = await import('./runtime/paper-state.js');
  const store = await openConfiguredStore(config);
  const paper = paperStateSaver(store, (e) => console.error(`paper account not saved: ${e.message}`));
  try {
    const paperState = (await store.loadPaperState() ?? undefined) as PaperState | undefined;
    const { broker } = new BrokerPool(brokerSettings(config), { paperState, onPaperChange: paper.save });
    const definition = exportWorkflow(workflow);
    const existing = (await store.listWorkflows()).find((w) => w.name === workflow.name);
    const wf = existing ? (await store.updateWorkflow(existing.id, { definition }))! : await store.createWorkflow({ name: workflow.name, description: workflow.description ?? '', definition });
    const service = new ExecutionService({
      store, broker, notifier: notifierFor(broker, config), registry: defaultRegistry, timezone: config.timezone,
      killSwitch: () => config.killSwitch, settings: { allowPrivateHttp: config.allowPrivateHttp }, secrets: knownSecrets(config),
    });
    const { executionId } = await service.request({ workflowId: wf.id, version: null, trigger, concurrency: wf.concurrency, limits: wf.limits });
    const signal = interruptSignal();
    signal.addEventListener('abort', () => service.cancel(executionId), { once: true });
    const result = await service.wait(executionId);
    if (!result) throw new Exit(1, `execution ${executionId} did not run`);
    return result;
  } finally {
    await paper.flush();
    await store.close();
  }
}

program
  .command('rehearse')
  .description('replay a workflow on past market days in simulated time and report its trades and P&L; exit 0 every run completed, 1 a run failed, 2 invalid input')
  .argument('<file>', 'workflow JSON (OpenAlgo Flow format)')
  .requiredOption('--from <date>', 'first market day, YYYY-MM-DD')
  .requiredOption('--to <date>', 'last market day, YYYY-MM-DD')
  .option('--alerts <file>', "past webhook alerts: TradingView's alert log (CSV) or JSON lines {time, payload}")
  .option('--capital <rupees>', 'starting capital (default 1000000)')
  .option('--slippage <bps>', 'adverse slippage on market fills, basis points (default 0)')
  .option('--charges <preset>', 'auto (Indian brokerage and taxes by segment, default) or none')
  .option('--data-dir <dir>', 'where OpenAlgo history is cached (FLOW_DATA_DIR, default ./data)')
  .option('--json', 'print the report as JSON')
  .action(async (file: string, opts: import('./cli/rehearse.js').RehearseFlags & { dataDir?: string }) => {
    const v = readWorkflow(file);
    if (!v.valid) {
      console.error(`${file}: invalid\n${formatProblems(v.problems)}`);
      throw new Exit(2);
    }
    const { rehearseCommand } = await import('./cli/rehearse.js');
    const r = await rehearseCommand(v.workflow!, opts, loadConfig(process.env, { dataDir: opts.dataDir }));
    if ('out' in r) console.log(r.out);
    throw new Exit(r.code, 'error' in r ? r.error : undefined);
  });

program
  .command('serve')
  .description('run Flow as a service: HTTP API, webhooks, schedules, price alerts (paper broker and SQLite by default)')
  .option('--port <port>', 'HTTP port (FLOW_PORT, default 5000)')
  .option('--host <host>', 'address to bind (FLOW_HOST, default 127.0.0.1)')
  .option('--data-dir <dir>', 'where the database and keys live (FLOW_DATA_DIR, default ./data)')
  .option('--broker <kind>', 'paper or openalgo (FLOW_BROKER; openalgo when OPENALGO_HOST is set)')
  .option('--role <role>', 'all (default: HTTP and runs), web (HTTP only) or worker (runs only); web and worker need FLOW_DATABASE_URL')
  .action(async (opts: { port?: string; host?: string; dataDir?: string; broker?: string; role?: string }) => {
    const role = opts.role ?? 'all';
    if (role !== 'all' && role !== 'web' && role !== 'worker') throw new Exit(2, `--role ${role}: expected all, web or worker`);
    const config = loadConfig(process.env, { port: opts.port, host: opts.host, dataDir: opts.dataDir, broker: opts.broker });
    // With SQLite one process does everything: a web process alone would queue runs nobody runs.
    if (role !== 'all' && !config.databaseUrl) throw new Exit(2, `--role ${role} needs FLOW_DATABASE_URL (PostgreSQL): with SQLite one process does everything; run --role all`);
    const { startFlow } = await import('./server/index.js');
    // The handlers go in before start-up: the banner ("listening on") is printed before startFlow
    // returns, and a SIGTERM in between must still stop gracefully, not kill the process outright.
    let flow: Awaited<ReturnType<typeof startFlow>> | undefined;
    let stopping = false;
    const close = (f: NonNullable<typeof flow>) => f.close(10_000).then(() => process.exit(0), (e) => {
      console.error(`shutdown: ${(e as Error).message}`);
      process.exit(1);
    });
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${signal}: finishing running executions (up to 10 s), then stopping…`);
      if (flow) void close(flow);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    flow = await startFlow(config, { role });
    if (stopping) void close(flow);
    await new Promise(() => {}); // serve until a signal
  });

program
  .command('import')
  .description('store a workflow file in the database (prints its id)')
  .argument('<file>', 'workflow JSON (OpenAlgo Flow format)')
  .option('--data-dir <dir>', 'FLOW_DATA_DIR, default ./data')
  .action(async (file: string, opts: { dataDir?: string }) => {
    const v = readWorkflow(file);
    if (!v.valid) {
      console.error(`${file}: invalid\n${formatProblems(v.problems)}`);
      throw new Exit(2);
    }
    const store = await openConfiguredStore(loadConfig(process.env, { dataDir: opts.dataDir }));
    try {
      const wf = await store.createWorkflow({ name: v.workflow!.name, description: v.workflow!.description ?? '', definition: exportWorkflow(v.workflow!) });
      console.log(wf.id);
    } finally {
      await store.close();
    }
  });

program
  .command('export')
  .description('print a stored workflow in OpenAlgo Flow format')
  .argument('<id>', 'workflow id')
  .option('--data-dir <dir>', 'FLOW_DATA_DIR, default ./data')
  .action(async (id: string, opts: { dataDir?: string }) => {
    const store = await openConfiguredStore(loadConfig(process.env, { dataDir: opts.dataDir }));
    try {
      const wf = await store.getWorkflow(id);
      if (!wf) throw new Exit(2, `workflow ${id} not found`);
      console.log(JSON.stringify(exportWorkflow(wf.definition), null, 2));
    } finally {
      await store.close();
    }
  });

program
  .command('migrate')
  .description('copy a SQLite data directory into PostgreSQL (workflows, versions, runs, orders, settings, encrypted secrets); exit 0 copied, 1 failed, 2 refused')
  .requiredOption('--to <url>', 'the PostgreSQL database: postgres://user:password@host:5432/flow (empty unless --overwrite)')
  .option('--data-dir <dir>', 'the data directory to copy (FLOW_DATA_DIR, default ./data)')
  .option('--overwrite', 'replace whatever the target database holds')
  .action(async (opts: { to: string; dataDir?: string; overwrite?: boolean }) => {
    if (!/^postgres(ql)?:\/\//.test(opts.to)) throw new Exit(2, `--to must be a PostgreSQL URL such as postgres://user@host:5432/flow (got '${opts.to}')`);
    const config = loadConfig(process.env, { dataDir: opts.dataDir });
    const path = await import('node:path');
    const { copySqliteToPostgres } = await import('./store/copy.js');
    const { isStoreError } = await import('./store/errors.js');
    const { redactedUrl } = await import('./store/postgres/store.js');
    const file = path.join(config.dataDir, 'flow.db');
    let counts;
    try {
      counts = await copySqliteToPostgres({ sqliteFile: file, databaseUrl: opts.to, overwrite: opts.overwrite });
    } catch (e) {
      if (isStoreError(e, 'conflict') || isStoreError(e, 'not_found')) throw new Exit(2, `flow migrate: ${e.message}`);
      throw e;
    }
    console.log(`copied ${file} into ${redactedUrl(opts.to)}:`);
    for (const [table, n] of Object.entries(counts)) console.log(`  ${table.padEnd(20)} ${n}`);
    console.log('Stored secrets are copied encrypted: every Flow process on this database needs the same key,');
    console.log(`FLOW_SECRET_KEY=$(cat ${path.join(config.dataDir, 'secret.key')}) (unless FLOW_SECRET_KEY is already set), and FLOW_DATABASE_URL.`);
  });

program
  .command('paper-broker')
  .description('serve the paper broker as an OpenAlgo-compatible REST API (POST /api/v1/*) on loopback, and with --ws-port its WebSocket stream')
  .option('--port <port>', 'port', '5001')
  .option('--ws-port <port>', "also serve OpenAlgo's WebSocket stream (ticks, order updates) on this port; OpenAlgo's default is 8765")
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('--apikey <key>', 'the API key clients must send (default: generated and printed)')
  .option('--data-dir <dir>', 'keep the paper account in this data directory (default: in memory)')
  .action(async (opts: { port: string; wsPort?: string; host: string; apikey?: string; dataDir?: string }) => {
    const port = Number(opts.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Exit(2, `--port must be 0-65535 (got '${opts.port}')`);
    const wsPort = opts.wsPort === undefined ? undefined : Number(opts.wsPort);
    if (wsPort !== undefined && (!Number.isInteger(wsPort) || wsPort < 0 || wsPort > 65535)) throw new Exit(2, `--ws-port must be 0-65535 (got '${opts.wsPort}')`);
    const { startOpenAlgoServer } = await import('./broker/openalgo/index.js');
    const { PaperBroker } = await import('./broker/paper/index.js');
    const { randomBytes } = await import('node:crypto');
    const { paperStateSaver } = await import('./runtime/paper-state.js');
    const store = opts.dataDir ? await (await import('./store/index.js')).openStore({ dataDir: opts.dataDir }) : undefined;
    const paper = store && paperStateSaver(store, (e) => console.error(`paper account not saved: ${e.message}`));
    const broker = new PaperBroker({
      state: (await store?.loadPaperState() ?? undefined) as PaperState | undefined, onChange: paper?.save,
      alwaysOpen: /^(1|true|yes|on)$/i.test(process.env.FLOW_PAPER_ALWAYS_OPEN ?? ''),
    });
    const apiKey = opts.apikey ?? randomBytes(16).toString('hex');
    const server = await startOpenAlgoServer({ broker, apiKey, port, host: opts.host });
    console.log(`paper broker (OpenAlgo REST v1, sandbox mode) on ${server.url}`);
    let stream: import('./stream/server.js').StreamServer | undefined;
    if (wsPort !== undefined) {
      const { startStreamServer } = await import('./stream/server.js');
      stream = await startStreamServer({ source: broker.marketStream(), apiKey, port: wsPort, host: opts.host });
      console.log(`paper stream (OpenAlgo WebSocket: LTP, Quote, Depth, order updates) on ${stream.url}`);
    }
    if (!opts.apikey) console.log(`API key: ${apiKey}`);
    const stop = () => Promise.all([server.close(), stream?.close()]).then(async () => {
      await paper?.flush();
      await store?.close();
      process.exit(0);
    });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await new Promise(() => {});
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof Exit) {
    if (e.message) console.error(e.message);
    process.exitCode = e.code;
  } else if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (e instanceof ConfigError) {
    console.error(`configuration: ${e.message}`);
    process.exitCode = 2;
  } else {
    console.error(`flow: ${(e as Error).message ?? String(e)}`);
    process.exitCode = 1;
  }
}

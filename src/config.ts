// Configuration from the environment (DESIGN.md §8); command-line flags win where both exist.

import path from 'node:path';
import type { BrokerSettings } from './broker/pool.js';
import { DEFAULT_TIMEZONE } from './engine/time.js';

export interface Config {
  dataDir: string;
  port: number;
  host: string;
  apiToken?: string;
  secretKey?: string;
  broker: 'paper' | 'openalgo';
  openalgo: { host?: string; apiKey?: string; username?: string; timeoutMs: number; /** OPENALGO_WS_URL; derived from the host when unset. */ wsUrl?: string };
  timezone: string;
  /** Orders per second sent to OpenAlgo, per OpenAlgo API key (client-side limiter). */
  orderRateLimit: number;
  /** Other broker calls per second, per OpenAlgo API key. */
  apiRateLimit: number;
  /** Webhooks per minute per token; 0 turns the limit off. */
  webhookRateLimit: number;
  killSwitch: boolean;
  telegram: { botToken?: string; chatId?: string; apiBase: string };
  logLevel: string;
  /** FLOW_PAPER_ALWAYS_OPEN: the paper market takes orders at any hour (else OpenAlgo sandbox hours). */
  paperAlwaysOpen: boolean;
  /** httpRequest nodes may call loopback/private addresses. */
  allowPrivateHttp: boolean;
  /** Executions kept per workflow, and days kept, before background pruning. */
  retention: { keepPerWorkflow: number; maxAgeDays: number };
  /** Global limit on executions running at once under the `parallel` policy. */
  maxParallel: number;
  /** FLOW_DATABASE_URL: postgres://… makes PostgreSQL the store (DESIGN.md §9); unset, SQLite in dataDir. */
  databaseUrl?: string;
  /** The address webhooks are reached at from outside (a TLS reverse proxy); webhook URLs use it. */
  publicUrl?: string;
}

export class ConfigError extends Error {}

export interface Flags {
  port?: string | number;
  host?: string;
  dataDir?: string;
  broker?: string;
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number, { min = 0 } = {}): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new ConfigError(`${name} must be a number ≥ ${min} (got '${raw}')`);
  return n;
}

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

export function loadConfig(env: NodeJS.ProcessEnv = process.env, flags: Flags = {}): Config {
  const openalgoHost = env.OPENALGO_HOST?.trim() || undefined;
  const brokerRaw = (flags.broker || env.FLOW_BROKER?.trim() || (openalgoHost ? 'openalgo' : 'paper')).toLowerCase();
  if (brokerRaw !== 'paper' && brokerRaw !== 'openalgo') throw new ConfigError(`broker must be paper or openalgo (got '${brokerRaw}')`);
  const port = flags.port !== undefined ? Number(flags.port) : num(env, 'FLOW_PORT', 5000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`port must be 0-65535 (got '${flags.port ?? env.FLOW_PORT}')`);
  const config: Config = {
    dataDir: path.resolve(flags.dataDir ?? env.FLOW_DATA_DIR ?? './data'),
    port,
    host: flags.host ?? env.FLOW_HOST ?? '127.0.0.1',
    apiToken: env.FLOW_API_TOKEN || undefined,
    secretKey: env.FLOW_SECRET_KEY || undefined,
    broker: brokerRaw,
    openalgo: {
      host: openalgoHost?.replace(/\/+$/, ''),
      apiKey: env.OPENALGO_API_KEY || undefined,
      username: env.OPENALGO_USERNAME || undefined,
      timeoutMs: num(env, 'OPENALGO_TIMEOUT_MS', 10_000, { min: 1 }),
      wsUrl: env.OPENALGO_WS_URL?.trim() || undefined,
    },
    timezone: env.FLOW_TIMEZONE || DEFAULT_TIMEZONE,
    orderRateLimit: num(env, 'FLOW_ORDER_RATE_LIMIT', 10),
    apiRateLimit: num(env, 'FLOW_API_RATE_LIMIT', 50),
    webhookRateLimit: num(env, 'FLOW_WEBHOOK_RATE_LIMIT', 60),
    killSwitch: truthy(env.FLOW_KILL_SWITCH),
    paperAlwaysOpen: truthy(env.FLOW_PAPER_ALWAYS_OPEN),
    telegram: { botToken: env.TELEGRAM_BOT_TOKEN || undefined, chatId: env.TELEGRAM_CHAT_ID || undefined, apiBase: env.TELEGRAM_API_BASE || 'https://api.telegram.org' },
    logLevel: env.FLOW_LOG_LEVEL || 'info',
    allowPrivateHttp: truthy(env.FLOW_ALLOW_PRIVATE_HTTP),
    retention: { keepPerWorkflow: num(env, 'FLOW_RETENTION_KEEP', 500, { min: 1 }), maxAgeDays: num(env, 'FLOW_RETENTION_DAYS', 30, { min: 0 }) },
    maxParallel: num(env, 'FLOW_MAX_PARALLEL', 64, { min: 1 }),
    databaseUrl: env.FLOW_DATABASE_URL || undefined,
    publicUrl: env.FLOW_PUBLIC_URL?.trim().replace(/\/+$/, '') || undefined,
  };
  if (config.publicUrl && !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(config.publicUrl)) {
    throw new ConfigError(`FLOW_PUBLIC_URL must be an http(s) address such as https://flow.example.com (got '${config.publicUrl}')`);
  }
  if (config.databaseUrl && !/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    throw new ConfigError('FLOW_DATABASE_URL must be a PostgreSQL URL such as postgres://user@host:5432/flow');
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: config.timezone });
  } catch {
    throw new ConfigError(`FLOW_TIMEZONE '${config.timezone}' is not a known time zone`);
  }
  if (config.broker === 'openalgo' && (!config.openalgo.host || !config.openalgo.apiKey)) {
    throw new ConfigError('the openalgo broker needs OPENALGO_HOST and OPENALGO_API_KEY');
  }
  return config;
}

/** The secret values configuration holds: scrubbed from every stored run (with the workflows' own). */
export function knownSecrets(config: Config): string[] {
  return [config.openalgo.apiKey, config.telegram.botToken, config.apiToken, config.secretKey, databasePassword(config.databaseUrl)]
    .filter((s): s is string => !!s);
}

function databasePassword(url: string | undefined): string | undefined {
  try {
    return url ? decodeURIComponent(new URL(url).password) || undefined : undefined;
  } catch {
    return undefined;
  }
}

/** The broker part of the configuration (BrokerPool reads it once). */
export function brokerSettings(config: Config): BrokerSettings {
  return {
    kind: config.broker, openalgo: config.openalgo, orderRatePerSec: config.orderRateLimit, apiRatePerSec: config.apiRateLimit,
    paperAlwaysOpen: config.paperAlwaysOpen,
  };
}

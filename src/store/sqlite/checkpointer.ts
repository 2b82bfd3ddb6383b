// WAL checkpoints in a worker thread: copying the log into the database and its fsync never block
// the event loop. The main connection runs with wal_autocheckpoint = 0 while the worker lives.
// PASSIVE checkpoints keep up with writers; past `restartFrames` a RESTART lets the log start over
// (it holds writers only for the short tail PASSIVE has not copied yet).
//
// The log's restart is kept off the main thread too. Once a checkpoint has copied the whole log,
// the next write starts the log over, and SQLite syncs the log's new header before that write's
// first frame: ~0.25 ms on the main thread here (23 µs a commit otherwise), and several ms on a busy
// disk, paid by whatever commits first after a quiet spell (a stop-loss alert's run). So:
// - while writes keep coming, the log is checkpointed at most once per `maxIntervalMs` (one such
//   restart a second, not ten);
// - when the writers have been quiet for a pass, the worker checkpoints, and if that copied the whole
//   log it writes one page itself (the database's application_id, always the same value), so that it
//   is the worker that starts the log over and syncs its header; the next commit of the main
//   connection appends to the log without a sync;
// - `PRAGMA data_version` (which moves when another connection commits) tells the worker whether
//   anyone wrote since its last pass: an idle database is left alone.

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface CheckpointerOptions {
  path: string;
  busyTimeoutMs: number;
  /** Pause between passes when the log is caught up. Default 100 ms. */
  intervalMs?: number;
  /** While writes keep coming, the longest wait between two checkpoints. Default 1000 ms. */
  maxIntervalMs?: number;
  /** Log size (pages) beyond which the log is restarted. Default 65536 (64 MB at 1 KB pages). */
  restartFrames?: number;
  /** Called if the worker dies: the caller turns automatic checkpoints back on. */
  onFailure(error: Error): void;
}

export interface Checkpointer {
  /** Stops the worker and closes its connection; waits at most `waitMs` for it. */
  stop(waitMs?: number): void;
}

// Plain CommonJS so the worker needs no TypeScript loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const done = new Int32Array(workerData.done);
const db = new Database(workerData.path, { timeout: workerData.busyTimeoutMs });
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
db.pragma('synchronous = NORMAL');
db.pragma('wal_autocheckpoint = 0');
// Flow's application id ("Flow"): the page the worker writes to start the log over, never changed.
const APPLICATION_ID = 0x466c6f77;
let stopped = false;
let timer = null;
// data_version at the previous pass, and when the worker last started the log over.
let previousVersion = null;
let restartedVersion = null;
let checkpointedAt = 0;
function checkpoint() {
  const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
  checkpointedAt = Date.now();
  if (r.log >= workerData.restartFrames) {
    db.pragma('wal_checkpoint(RESTART)');
    return true;
  }
  return r.checkpointed === r.log;
}
function pass() {
  timer = null;
  if (stopped) return;
  let behind = false;
  try {
    const version = db.pragma('data_version', { simple: true });
    const quiet = version === previousVersion;
    previousVersion = version;
    if (quiet) {
      // Nobody wrote since the previous pass: copy the log, and if all of it was copied, start it
      // over here (one page, always the same value) unless that was done since the last write.
      if (version !== restartedVersion) {
        behind = !checkpoint();
        if (!behind) {
          db.pragma('application_id = ' + APPLICATION_ID);
          restartedVersion = version;
        }
      }
    } else if (Date.now() - checkpointedAt >= workerData.maxIntervalMs) {
      behind = !checkpoint();
    }
  } catch (e) {
    // SQLITE_BUSY and the like: try again at the next pass.
  }
  timer = setTimeout(pass, behind ? 0 : workerData.intervalMs);
}
parentPort.on('message', (m) => {
  if (m !== 'stop' || stopped) return;
  stopped = true;
  if (timer) clearTimeout(timer);
  try { db.close(); } finally {
    Atomics.store(done, 0, 1);
    Atomics.notify(done, 0);
    parentPort.close();
  }
});
pass();
`;

export function startCheckpointer(options: CheckpointerOptions): Checkpointer {
  const done = new SharedArrayBuffer(4);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      path: options.path,
      busyTimeoutMs: options.busyTimeoutMs,
      intervalMs: options.intervalMs ?? 100,
      maxIntervalMs: options.maxIntervalMs ?? 1000,
      restartFrames: options.restartFrames ?? 65536,
      done,
    },
  });
  let stopping = false;
  let exited = false;
  worker.unref();
  worker.on('error', (e) => {
    if (!stopping) options.onFailure(e);
  });
  worker.on('exit', (code) => {
    exited = true;
    if (!stopping) options.onFailure(new Error(`the checkpoint worker exited with code ${code}`));
  });

  return {
    stop(waitMs = 2000) {
      if (stopping) return;
      stopping = true;
      worker.postMessage('stop');
      // Synchronous so that close() returns with the worker's connection closed: the main connection,
      // closing last, then checkpoints and removes the WAL file.
      if (!exited) Atomics.wait(new Int32Array(done), 0, 0, waitMs);
      void worker.terminate();
    },
  };
}

// WAL checkpoints in a worker thread: copying the log into the database and its fsync never block
// the event loop. The main connection runs with wal_autocheckpoint = 0 while the worker lives.
// PASSIVE checkpoints keep up with writers; past `restartFrames` a RESTART lets the log start over
// (it holds writers only for the short tail PASSIVE has not copied yet).

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface CheckpointerOptions {
  path: string;
  busyTimeoutMs: number;
  /** Pause between checkpoints when the log is caught up. Default 100 ms. */
  intervalMs?: number;
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
let stopped = false;
let timer = null;
function pass() {
  timer = null;
  if (stopped) return;
  let behind = false;
  try {
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    if (r.log >= workerData.restartFrames) db.pragma('wal_checkpoint(RESTART)');
    else behind = r.checkpointed < r.log;
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

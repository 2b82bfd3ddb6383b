// The paper account is saved as it changes: the newest state only, one write at a time (a later
// write never lands before an earlier one), and a burst of changes in one tick costs one write.

import type { Store } from '../store/types.js';

export interface PaperStateSaver {
  save(state: unknown): void;
  /** Resolves once the newest state asked for is written (at shutdown). */
  flush(): Promise<void>;
}

export function paperStateSaver(store: Store, onError: (e: Error) => void): PaperStateSaver {
  let latest: { state: unknown } | null = null;
  let writing: Promise<void> | null = null;
  const drain = async () => {
    while (latest) {
      const { state } = latest;
      latest = null;
      try {
        await store.savePaperState(state);
      } catch (e) {
        onError(e as Error);
      }
    }
    writing = null;
  };
  return {
    save(state) {
      latest = { state };
      writing ??= new Promise<void>((resolve) => queueMicrotask(resolve)).then(drain);
    },
    flush: () => writing ?? Promise.resolve(),
  };
}

import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * The calling thread's scheduling priority, on Linux, where a nice value belongs to a thread (its
 * id is the pid setpriority takes): a chart worker warms up at the lowest priority while a fit
 * runs, so that it uses only the time the fit leaves idle, and renders a report at normal
 * priority. Elsewhere, and where the thread could not return to normal priority (raising a
 * priority needs CAP_SYS_NICE or RLIMIT_NICE), nothing changes.
 */

/** The nice value of a background warm-up: the lowest priority there is. */
const BACKGROUND_NICE = 19;

/** This thread's id, on Linux (undefined elsewhere). */
function threadId(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

export interface ThreadPriority {
  /** Whether the thread runs at background priority now. */
  readonly lowered: boolean;
  /** Back to the thread's normal priority (nothing when it was never lowered). */
  restore(): void;
}

/**
 * Lowers the calling thread to background priority when it will be able to come back: tried
 * first one step down and back (the step stays when the way back is refused; one nice step is
 * ~10% of a core's share, only under contention).
 */
export function lowerThreadPriority(): ThreadPriority {
  const tid = threadId();
  let normal: number | undefined;
  try {
    if (tid !== undefined) {
      const start = getPriority(tid);
      setPriority(tid, Math.min(start + 1, BACKGROUND_NICE));
      setPriority(tid, start);
      setPriority(tid, BACKGROUND_NICE);
      normal = start;
    }
  } catch {
    normal = undefined;
  }
  return {
    get lowered() {
      return normal !== undefined;
    },
    restore() {
      if (normal === undefined || tid === undefined) return;
      try {
        setPriority(tid, normal);
      } catch {
        // Checked above: only a changed limit gets here; the thread then stays in the background.
      }
      normal = undefined;
    },
  };
}

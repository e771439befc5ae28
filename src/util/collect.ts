import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection of this thread's heap. A dataset's matrix and kernel memory are shared
 * buffers: their memory returns only once every thread that saw them has collected its last
 * reference, and an idle worker allocates too little to ever collect. Without this, 100 fits in
 * one process grew by a dataset each (issue 15). Node exposes gc() only under --expose-gc: the
 * flag is set while one context is made, gc taken from it, and the flag unset again.
 *
 * The flag is process-wide while each thread has its own heap: two threads making their
 * collectors at once (the pool's workers on their first dataset drop) could see the other unset
 * the flag between setting it and making the context, get no gc, and never collect again; RSS
 * then grew ~5 MB a completed fit (issue 15). The threads of this package therefore make their
 * collectors one at a time under collectorLock, shared with the workers through their workerData.
 */
let collector: (() => void) | null | undefined;

/** One Int32 in shared memory: 1 while a thread of this package toggles --expose-gc. */
let lock: Int32Array = new Int32Array(new SharedArrayBuffer(4));

/** The lock to hand to a worker (worker-pool.ts), which passes it to useCollectorLock. */
export function collectorLock(): Int32Array {
  return lock;
}

/** Called first thing in a worker thread with the lock of the thread that started it. */
export function useCollectorLock(shared: Int32Array): void {
  lock = shared;
}

export function collect(): void {
  // null: no way to collect; memory is then returned whenever V8 next collects on its own.
  collector ??= makeCollector() ?? null;
  collector?.();
}

/** Whether collect() collects on this thread (false where gc could not be had). */
export function collects(): boolean {
  collector ??= makeCollector() ?? null;
  return collector !== null;
}

/**
 * A new gc() for this thread, or undefined (collect() makes one and keeps it); exported for tests.
 * @param attempts tries: code outside this package (another copy of it, the host) may toggle the
 *   flag too, which the lock cannot stop
 */
export function makeCollector(attempts = 3): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  takeLock();
  try {
    for (let attempt = 0; attempt < attempts; attempt++) {
      const fn = exposedGc();
      if (fn) return fn;
    }
    return undefined;
  } finally {
    Atomics.store(lock, 0, 0);
    Atomics.notify(lock, 0, 1);
  }
}

/**
 * Waits for collectorLock, at most LOCK_WAIT_MS: a worker terminated inside its critical section
 * (a pool disposed or a fit cancelled while it made its collector) never releases it, and waiting
 * forever would block this thread's event loop. Past the deadline the lock is taken over.
 */
function takeLock(): void {
  const deadline = Date.now() + LOCK_WAIT_MS;
  while (Atomics.compareExchange(lock, 0, 0, 1) !== 0) {
    if (Date.now() >= deadline) {
      Atomics.store(lock, 0, 1);
      return;
    }
    Atomics.wait(lock, 0, 1, 10);
  }
}

/** Making a collector takes well under a millisecond; a holder this late has died. */
const LOCK_WAIT_MS = 500;

function exposedGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    try {
      const fn = runInNewContext('typeof gc === "function" ? gc : undefined') as unknown;
      if (typeof fn === 'function') return fn as () => void;
    } finally {
      // Only the one context made here gets gc(); the host's later contexts do not.
      setFlagsFromString('--no-expose-gc');
    }
  } catch {
    // setFlagsFromString refused (a policy): none
  }
  return undefined;
}

const RELEASE_COLLECT_BYTES = 32 * 2 ** 20;
let releasedBytes = 0;
const counted = new WeakSet<object>();

/**
 * Notes shared memory (a matrix, a kernel memory) the calling thread let go of. V8 does not count
 * shared WebAssembly memories as pressure on the heap that holds them: a host whose own work
 * allocates little between fits (cancelled fits: RSS grew 5 MB a fit) never collects them. One
 * collection per 32 MB let go bounds that, at the cost of a full collection per that many bytes
 * of data (far less than the cost of allocating and filling them).
 */
export function released(memory: WebAssembly.Memory | ArrayBufferLike): void {
  // Memory reused from one dataset to the next (MatrixArena: the chunks of an out-of-core pass)
  // is counted once: only new memory can pile up.
  if (counted.has(memory)) return;
  counted.add(memory);
  releasedBytes +=
    memory instanceof WebAssembly.Memory ? memory.buffer.byteLength : memory.byteLength;
  if (releasedBytes < RELEASE_COLLECT_BYTES) return;
  releasedBytes = 0;
  // At once: a caller whose fits run inline never yields to the event loop between them, so a
  // deferred collection would wait for the whole sequence. What this caller still holds (the
  // dataset being detached) is freed by the next one.
  collect();
}

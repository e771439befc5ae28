import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection of this thread's heap. A dataset's matrix and kernel memory are shared
 * buffers: their memory returns only once every thread that saw them has collected its last
 * reference, and an idle worker allocates too little to ever collect. Without this, 100 fits in
 * one process grew by a dataset each (issue 15). Node exposes gc() only under --expose-gc: the
 * flag is set while one context is made, gc taken from it, and the flag unset again.
 */
let collector: (() => void) | undefined;

export function collect(): void {
  collector ??= makeCollector();
  collector();
}

function makeCollector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  try {
    setFlagsFromString('--expose-gc');
    try {
      const fn = runInNewContext('gc') as unknown;
      if (typeof fn === 'function') return fn as () => void;
    } finally {
      // Only the one context made here gets gc(); the host's later contexts do not.
      setFlagsFromString('--no-expose-gc');
    }
  } catch {
    // no way to collect: memory is then returned whenever V8 next collects on its own
  }
  return () => {};
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

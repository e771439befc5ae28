import { expect, test } from 'vitest';
import { collectorLock, makeCollector, useCollectorLock } from '../src/util/collect.js';

// A worker terminated while it made its collector never releases the lock; the next thread must
// not block its event loop on it forever (it hung the test suite once).
test('a collector lock left held by a dead thread is taken over, not waited on forever', () => {
  const own = collectorLock();
  const stale = new Int32Array(new SharedArrayBuffer(4));
  stale[0] = 1;
  useCollectorLock(stale);
  try {
    const started = Date.now();
    const gc = makeCollector();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(typeof gc).toBe('function');
    expect(Atomics.load(stale, 0)).toBe(0);
  } finally {
    useCollectorLock(own);
  }
});

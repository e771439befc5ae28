// Threads that make garbage collectors at once (collect.ts), as the CPU pool's workers do on their
// first dataset drop: prints how many tries got none. Each round starts `workers` threads that wait
// on one barrier and then each make `tries` collectors, with one attempt each. With 'unshared' each thread keeps its own
// lock, which shows the race the shared lock prevents.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { collectorLock, makeCollector, useCollectorLock } from '../../dist/src/util/collect.js';

if (isMainThread) {
  const rounds = Number(process.argv[2] ?? 10);
  const workers = Number(process.argv[3] ?? 8);
  const tries = Number(process.argv[4] ?? 50);
  const shared = process.argv[5] !== 'unshared';
  let without = 0;
  for (let round = 0; round < rounds; round++) {
    const barrier = new Int32Array(new SharedArrayBuffer(4));
    const threads = Array.from(
      { length: workers },
      () =>
        new Worker(new URL(import.meta.url), {
          workerData: { lock: shared ? collectorLock() : undefined, barrier, workers, tries },
        }),
    );
    const answers = await Promise.all(
      threads.map((w) => new Promise((resolve) => w.once('message', resolve))),
    );
    for (const failed of answers) without += failed;
    await Promise.all(threads.map((w) => w.terminate()));
  }
  process.stdout.write(`${JSON.stringify({ tries: rounds * workers * tries, without })}\n`);
} else {
  if (workerData.lock) useCollectorLock(workerData.lock);
  const { barrier, workers, tries } = workerData;
  // Everyone ready, then all at once.
  Atomics.add(barrier, 0, 1);
  while (Atomics.load(barrier, 0) < workers) Atomics.wait(barrier, 0, Atomics.load(barrier, 0), 1);
  let failed = 0;
  for (let i = 0; i < tries; i++) if (makeCollector(1) === undefined) failed++;
  parentPort.postMessage(failed);
}

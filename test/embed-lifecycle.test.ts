import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { afterAll, describe, expect, test } from 'vitest';
import {
  AbortedError,
  dispose,
  fit,
  GpusegError,
  predict,
  rfm,
  segment,
  selectK,
  UsageError,
} from '../src/index.js';

/** Cancellation (`signal`), the `threads` option and dispose() (issue 15). */
const dir = mkdtempSync(join(tmpdir(), 'gpuseg-lifecycle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** n rows × 4 in three groups; 150,000 rows run on the worker threads. */
function table(n: number) {
  const cols: Record<string, Float32Array> = {};
  for (const [j, name] of ['a', 'b', 'c', 'd'].entries()) {
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = ((i * (j + 7)) % 101) / 50 + ((i + j) % 3) * 4;
    cols[name] = x;
  }
  return tableFromArrays(cols);
}
const small = table(3000);
const large = table(150_000);

const transactions = join(dir, 'log.csv');
writeFileSync(
  transactions,
  [
    'cust,when,qty,price',
    ...Array.from(
      { length: 60 },
      (_, i) =>
        `c${i % 12},2024-01-${String(1 + (i % 28)).padStart(2, '0')},${1 + (i % 4)},${5 + (i % 7)}`,
    ),
  ].join('\n'),
);
const RFM = { customer: 'cust', date: 'when', quantity: 'qty', price: 'price' };

async function rejection(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

function expectAborted(error: unknown): void {
  expect(error).toBeInstanceOf(AbortedError);
  expect(error).toBeInstanceOf(GpusegError);
  const e = error as AbortedError;
  expect(e.name).toBe('AbortError');
  expect(e.code).toBe('GPUSEG_ABORTED');
  expect(e.message).toMatch(/aborted/);
}

describe('signal', () => {
  test('an aborted signal rejects fit, predict, selectK, segment and rfm before any work', async () => {
    const signal = AbortSignal.abort();
    const { model } = await fit(small, { k: 3, backend: 'cpu' });
    expectAborted(await rejection(fit(small, { k: 3, backend: 'cpu', signal })));
    expectAborted(await rejection(predict(small, model, { backend: 'cpu', signal })));
    expectAborted(await rejection(selectK(small, { k: '2..4', backend: 'cpu', signal })));
    expectAborted(await rejection(segment(transactions, { ...RFM, k: 2, backend: 'cpu', signal })));
    expectAborted(await rejection(rfm(transactions, { ...RFM, signal })));
  });

  test('a signal fired during a fit stops it between iterations', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const error = await rejection(
      fit(large, {
        k: 3,
        backend: 'cpu',
        init: 'random',
        tol: 0,
        maxIter: 50,
        signal: controller.signal,
        onIteration: (stat) => {
          seen.push(stat.iteration);
          if (seen.length === 2) controller.abort();
        },
      }),
    );
    expectAborted(error);
    expect(seen.length).toBe(2);
    // The reason, when it is an error of the caller's, is the cause and is named.
    const c2 = new AbortController();
    c2.abort(new Error('shutting down'));
    const e2 = await rejection(fit(small, { k: 3, backend: 'cpu', signal: c2.signal }));
    expect((e2 as Error).message).toBe('the operation was aborted: shutting down');
  });

  test('a signal fired during selectK stops it between passes', async () => {
    const controller = new AbortController();
    const work = selectK(large, { k: '2..6', backend: 'cpu', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expectAborted(await rejection(work));
  });

  test('a signal that is not an AbortSignal is a usage error naming signal', async () => {
    const e = await rejection(
      fit(small, { k: 3, backend: 'cpu', signal: 'stop' as unknown as AbortSignal }),
    );
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(/^signal must be an AbortSignal/);
  });
});

describe('threads', () => {
  test('any thread count gives the same result bit for bit', async () => {
    const one = await fit(large, { k: 4, backend: 'cpu', seed: 3, threads: 1 });
    const three = await fit(large, { k: 4, backend: 'cpu', seed: 3, threads: 3 });
    expect(three.model.centres).toEqual(one.model.centres);
    expect(three.assignments.getChild('segment_id')!.toArray()).toEqual(
      one.assignments.getChild('segment_id')!.toArray(),
    );
  });

  test.each([0, 65, 1.5, '2'])('threads=%s is a usage error naming threads', async (threads) => {
    const e = await rejection(
      fit(small, { k: 3, backend: 'cpu', threads: threads as unknown as number }),
    );
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(
      /^threads=\S+ is not a whole number of threads from 1 to 64/,
    );
  });
});

describe('dispose', () => {
  test('waits for the fits in flight, then releases; later calls open again', async () => {
    const running = fit(large, { k: 3, backend: 'cpu', seed: 1 });
    let fitDone = false;
    void running.then(() => (fitDone = true));
    await dispose();
    expect(fitDone).toBe(true);
    const r = await running;
    expect(r.assignments.numRows).toBe(150_000);
    const again = await fit(large, { k: 3, backend: 'cpu', seed: 1 });
    expect(again.model.centres).toEqual(r.model.centres);
    await dispose();
  });
});

import { describe, expect, test } from 'vitest';
import { marginalCost, medianMs } from '../src/backend/gpu/device-timing.js';

/**
 * The timing behind the read floor and the kernels-alone figures (src/backend/gpu/device-timing.ts)
 * against a fake clock: a submission costs a fixed round trip plus its repetitions of the work.
 * The floor of the first device check timed one sweep per submission, so its "bandwidth" held the
 * round trip (0.71 ms for 640 MB on an H200 that reads it in ~0.15 ms); these cases fail if the
 * measurement goes back to that.
 */
function fakeDevice(fixedMs: number, workMs: number, jitterMs = 0) {
  const calls: number[] = [];
  let state = 1;
  const run = async (repetitions: number): Promise<number> => {
    calls.push(repetitions);
    state = (state * 48271) % 2147483647; // deterministic jitter, ≥ 0 (a clock never runs fast)
    return fixedMs + repetitions * workMs + (jitterMs * state) / 2147483647;
  };
  return { run, calls };
}

const SWEEPS = { targetMs: 20, maxRepetitions: 64, trials: 3 };

describe('marginalCost', () => {
  test('gives the work alone, without the round trip, when the round trip dwarfs the work', async () => {
    // An H200's read floor: 0.15 ms of reading behind a 0.6 ms round trip.
    const device = fakeDevice(0.6, 0.15, 0.02);
    const t = await marginalCost(device.run, SWEEPS);
    expect(t.msPerRepetition).toBeGreaterThan(0.15 * 0.99);
    expect(t.msPerRepetition).toBeLessThan(0.15 * 1.01);
    expect(t.fixedMs).toBeGreaterThan(0.55);
    expect(t.fixedMs).toBeLessThan(0.65);
  });

  test('encodes several repetitions in one submission, and counts what it ran', async () => {
    const device = fakeDevice(0.6, 0.15);
    const t = await marginalCost(device.run, SWEEPS);
    // Grown until 20 ms of work more than one repetition, or 64.
    expect(t.repetitions).toBe(64);
    expect(Math.max(...device.calls)).toBe(64);
    expect(t.submissions).toBe(device.calls.length);
    expect(t.encoded).toBe(device.calls.reduce((a, b) => a + b, 0));
    expect(t.encoded).toBeGreaterThan(4 * t.submissions);
  });

  test('stops growing once the difference reaches the target', async () => {
    const device = fakeDevice(0.5, 10);
    const t = await marginalCost(device.run, SWEEPS);
    expect(t.repetitions).toBe(4);
    expect(t.msPerRepetition).toBeCloseTo(10, 9);
  });

  test('work longer than the target: one trial each, two repetitions', async () => {
    const device = fakeDevice(0.5, 30);
    const t = await marginalCost(device.run, SWEEPS);
    // A warm-up, t(1) and t(2).
    expect(device.calls).toEqual([1, 1, 2]);
    expect(t.msPerRepetition).toBeCloseTo(30, 9);
    expect(t.fixedMs).toBeCloseTo(0.5, 9);
  });

  test('a first run that compiles programs does not count', async () => {
    const device = fakeDevice(0.6, 0.15);
    let first = true;
    const t = await marginalCost(async (r) => {
      const ms = await device.run(r);
      if (!first) return ms;
      first = false;
      return ms + 500; // the shader compile
    }, SWEEPS);
    expect(t.msPerRepetition).toBeCloseTo(0.15, 9);
    expect(t.fixedMs).toBeCloseTo(0.6, 9);
  });
});

test('medianMs: the middle sample', async () => {
  const samples = [5, 1, 9, 3, 7];
  expect(await medianMs(async () => samples.shift()!, 5)).toBe(5);
  const even = [4, 1, 3, 2];
  expect(await medianMs(async () => even.shift()!, 4)).toBe(2.5);
});

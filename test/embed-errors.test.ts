import { tableFromArrays } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import {
  AbortedError,
  asGpusegError,
  DeviceError,
  EnvironmentError,
  fit,
  GpusegError,
  InputError,
  InternalError,
  outOfMemoryForTest,
  predict,
  rfm,
  segment,
  selectK,
  UsageError,
} from './helpers/embed-errors.js';

/**
 * Every error from the API is a GpusegError with a stable `code` (README, 'Error codes'), and
 * arguments of the wrong type are usage errors naming the argument, not raw TypeErrors (issue 15).
 */
const table = tableFromArrays({
  a: Float32Array.of(1, 2, 3, 10, 11, 12),
  b: Float32Array.of(1, 2, 3, 10, 11, 12),
});

async function rejection(work: () => Promise<unknown>): Promise<GpusegError> {
  try {
    await work();
  } catch (error) {
    expect(error).toBeInstanceOf(GpusegError);
    return error as GpusegError;
  }
  throw new Error('expected a rejection');
}

describe('codes', () => {
  test.each([
    [new UsageError('x'), 'GPUSEG_USAGE', 2],
    [new InputError('x'), 'GPUSEG_INPUT', 3],
    [new DeviceError('x', { reason: 'unavailable' }), 'GPUSEG_DEVICE_UNAVAILABLE', 4],
    [new DeviceError('x', { reason: 'lost' }), 'GPUSEG_DEVICE_LOST', 4],
    [new DeviceError('x', { reason: 'out-of-memory' }), 'GPUSEG_DEVICE_OUT_OF_MEMORY', 4],
    [new DeviceError('x', { reason: 'validation' }), 'GPUSEG_DEVICE_VALIDATION', 4],
    [new DeviceError('x', { reason: 'internal' }), 'GPUSEG_DEVICE_INTERNAL', 4],
    [new EnvironmentError('x'), 'GPUSEG_ENVIRONMENT', 5],
    [outOfMemoryForTest(), 'GPUSEG_OUT_OF_MEMORY', 5],
    [
      asGpusegError(Object.assign(new Error('write failed'), { code: 'ENOSPC' })),
      'GPUSEG_DISK_FULL',
      5,
    ],
    [new InternalError('x'), 'GPUSEG_INTERNAL', 1],
    [asGpusegError(new TypeError('boom')), 'GPUSEG_INTERNAL', 1],
    [new AbortedError(), 'GPUSEG_ABORTED', 130],
  ])('%s has code %s and exit status %d', (error, code, exit) => {
    expect(error.code).toBe(code);
    expect(error.exitCode).toBe(exit);
  });
});

describe('arguments of the wrong type', () => {
  test.each([
    [
      'fit({a: [...]})',
      () => fit({ a: [1, 2, 3] } as never, { k: 2 }),
      /^input must be an apache-arrow Table or a file path, got an object \(a\)$/,
    ],
    ['fit([[1, 2]])', () => fit([[1, 2]] as never, { k: 2 }), /^input must be .* got an array$/],
    ['fit(null)', () => fit(null as never, { k: 2 }), /^input must be .* got null$/],
    [
      'fit(table) without options',
      () => fit(table, undefined as never),
      /^options must be an object, got undefined$/,
    ],
    [
      'fit(table, 5)',
      () => fit(table, 5 as never),
      /^options must be an object, got a number \(5\)$/,
    ],
    [
      'predict([[1, 2]], model)',
      () => predict([[1, 2]] as never, 'model.json'),
      /^input must be .* got an array$/,
    ],
    [
      'predict(table, 5)',
      () => predict(table, 5 as never),
      /^model must be a gpuseg model or a model file path, got a number \(5\)$/,
    ],
    [
      'selectK(42, …)',
      () => selectK(42 as never, { k: '2..3' }),
      /^input must be .* got a number \(42\)$/,
    ],
    [
      'segment(table, …)',
      () => segment(table as never, { customer: 'c', date: 'd', amount: 'a' }),
      /^transactions must be a file path, got an object/,
    ],
    [
      'rfm(undefined, …)',
      () => rfm(undefined as never, { customer: 'c', date: 'd', amount: 'a' }),
      /^transactions must be a file path, got undefined$/,
    ],
  ])('%s is a usage error naming the argument', async (_, work, message) => {
    const e = await rejection(work);
    expect(e).toBeInstanceOf(UsageError);
    expect(e.code).toBe('GPUSEG_USAGE');
    expect(e.message).toMatch(message);
  });
});

describe('messages name options for their reader', () => {
  test('the API names its option, the CLI (messageFor flag) the flag, from one message', async () => {
    const unknown = await rejection(() => fit(table, { k: 2, features: ['a', 'nope'] }));
    expect(unknown.message).toMatch(/^features: unknown column 'nope'; the input has 'a', 'b'$/);
    expect(unknown.messageFor('flag')).toMatch(/^--features: unknown column 'nope'/);
    const maxIter = await rejection(() => fit(table, { k: 2, maxIter: 0 }));
    expect(maxIter.message).toBe("maxIter: expected an integer ≥ 1, got '0'");
    expect(maxIter.messageFor('flag')).toBe("--max-iter: expected an integer ≥ 1, got '0'");
    expect(maxIter.messageFor('option')).toBe(maxIter.message);
  });

  test('a plain message reads the same for both', () => {
    const e = new InputError('the input has zero rows');
    expect(e.messageFor('flag')).toBe('the input has zero rows');
  });
});

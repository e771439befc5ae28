import { outOfMemory, type EnvironmentError } from '../../src/errors.js';

/** The public API, and an out-of-memory error as the runtime's failed allocation gives it. */
export * from '../../src/index.js';

export function outOfMemoryForTest(): EnvironmentError {
  return outOfMemory(new RangeError('Array buffer allocation failed'))!;
}

import type { DataMatrix } from '../data/matrix.js';
import type { Backend, DatasetHandle } from './backend.js';

/**
 * Runs `work` on `matrix` attached to `backend` and detaches it afterwards, also when `work`
 * throws: a pass over one chunk holds its device memory only for that chunk.
 */
export async function withAttached<T>(
  backend: Backend,
  matrix: DataMatrix,
  work: (handle: DatasetHandle) => Promise<T>,
): Promise<T> {
  const handle = await backend.attach(matrix);
  try {
    return await work(handle);
  } finally {
    await backend.detach(handle);
  }
}

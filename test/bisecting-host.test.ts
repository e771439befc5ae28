import { expect, test } from 'vitest';
import { HOST_SPLIT_MAX_VALUES, runBisectingKMeans } from '../src/algo/bisecting.js';
import type { DataMatrix } from '../src/data/matrix.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { blobs } from './helpers/reference.js';

/** A CPU backend that counts the matrices attached to it, by rows. */
class CountingBackend extends CpuBackend {
  readonly attachedRows: number[] = [];
  override attach(matrix: DataMatrix) {
    this.attachedRows.push(matrix.rows);
    return super.attach(matrix);
  }
}

/**
 * Bisecting k-means runs the bisections of small clusters on a single-thread host backend
 * (BisectingHooks.openHostBackend) instead of attaching each cluster to the fit's backend and its
 * worker threads: the fit's backend then sees only the whole data, the host every other cluster,
 * and the tree, labels and inertia are the ones of the fit without it, bit for bit.
 */
test('small clusters are bisected on the host backend, with the same result', async () => {
  const rows = 160_000;
  const dims = 4;
  // Above the CPU backend's inline size: the whole data runs on the worker threads.
  expect(rows * dims).toBeGreaterThan(1 << 19);
  expect(rows * dims).toBeLessThanOrEqual(HOST_SPLIT_MAX_VALUES);
  const { matrix } = blobs(rows, dims, 6, 31, 1.2);
  const settings = {
    k: 6,
    strategy: 'biggest_inertia' as const,
    init: 'random' as const,
    nInit: 1,
    maxIter: 100,
    tol: 1e-4,
    seed: 7,
  };
  const fitBackend = new CountingBackend(2);
  const hosts: CountingBackend[] = [];
  try {
    const handle = await fitBackend.attach(matrix);
    const plain = await runBisectingKMeans(fitBackend, handle, settings);
    // Without the hook every cluster after the root is attached to the fit's backend.
    expect(fitBackend.attachedRows.length).toBe(1 + settings.k - 2);
    fitBackend.attachedRows.length = 0;
    const hosted = await runBisectingKMeans(fitBackend, handle, settings, {
      openHostBackend: async () => {
        const host = new CountingBackend(1);
        hosts.push(host);
        return host;
      },
    });
    expect(fitBackend.attachedRows).toEqual([]);
    expect(hosts.length).toBe(1);
    expect(hosts[0].attachedRows.length).toBe(settings.k - 2);
    expect(hosted.labels).toEqual(plain.labels);
    expect(hosted.inertia).toBe(plain.inertia);
    expect(hosted.tree).toEqual(plain.tree);
    expect(hosted.sqDistances).toEqual(plain.sqDistances);
    await fitBackend.detach(handle);
  } finally {
    await fitBackend.dispose();
  }
});

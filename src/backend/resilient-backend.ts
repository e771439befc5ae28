import type { DataMatrix } from '../data/matrix.js';
import { DeviceError } from '../errors.js';
import type {
  Assignment,
  Backend,
  DatasetHandle,
  GmmAssignment,
  GmmPassParams,
  GmmSummary,
  LloydOptions,
  LloydSummary,
  RadiusCounts,
  RadiusQuery,
} from './backend.js';

/**
 * A Backend that runs on a primary backend (the GPU) and, when that fails with a DeviceError
 * (device lost, out of memory, shader rejected), moves to a fallback (the CPU) and retries the
 * call there: the run goes on from the last completed pass, with one notice. This is how
 * `--backend auto` survives GPU faults; the algorithms never know it happened.
 *
 * State that lived on the failed device is rebuilt: datasets are attached again, and the seeding
 * state is replayed from the centres chosen since the last seedReset. Stored labels start again
 * as 'none', so the pass after a switch counts every row as changed (never a false convergence).
 */
class ResilientHandle implements DatasetHandle {
  /** The centre sets given to seedReset and seedUpdate since the last reset, to replay after a switch. */
  seedHistory: { centres: Float32Array; count: number }[] = [];
  constructor(
    public inner: DatasetHandle,
    readonly matrix: DataMatrix,
  ) {}
  get rows(): number {
    return this.matrix.rows;
  }
  get dims(): number {
    return this.matrix.dims;
  }
}

export class ResilientBackend implements Backend {
  private current: Backend;
  private switched = false;
  private readonly handles = new Set<ResilientHandle>();

  constructor(
    primary: Backend,
    private readonly makeFallback: () => Promise<Backend>,
    private readonly notice: (message: string) => void,
  ) {
    this.current = primary;
  }

  get kind(): Backend['kind'] {
    return this.current.kind;
  }

  get deviceName(): string {
    return this.current.deviceName;
  }

  /** True once the run has moved to the fallback. */
  get fellBack(): boolean {
    return this.switched;
  }

  private async guarded<T>(call: (b: Backend) => Promise<T>): Promise<T> {
    try {
      return await call(this.current);
    } catch (error) {
      if (this.switched || !(error instanceof DeviceError)) throw error;
      await this.switchToFallback(error);
      return call(this.current);
    }
  }

  private async switchToFallback(error: DeviceError): Promise<void> {
    const failed = this.current;
    this.switched = true;
    this.current = await this.makeFallback();
    this.notice(`GPU failed (${error.message}); continuing on ${this.current.deviceName}`);
    await failed.dispose().catch(() => undefined);
    for (const h of this.handles) {
      h.inner = await this.current.attach(h.matrix);
      const [first, ...rest] = h.seedHistory;
      if (first) {
        await this.current.seedReset(h.inner, first.centres, first.count);
        for (const c of rest) await this.current.seedUpdate(h.inner, c.centres, c.count);
      }
    }
  }

  async attach(matrix: DataMatrix): Promise<DatasetHandle> {
    const handle = new ResilientHandle(await this.guarded((b) => b.attach(matrix)), matrix);
    this.handles.add(handle);
    return handle;
  }

  async detach(handle: DatasetHandle): Promise<void> {
    const h = handle as ResilientHandle;
    this.handles.delete(h);
    await this.current.detach(h.inner).catch(() => undefined);
  }

  resetLabels(handle: DatasetHandle): Promise<void> {
    return this.guarded((b) => b.resetLabels((handle as ResilientHandle).inner));
  }

  lloydStep(
    handle: DatasetHandle,
    centres: Float32Array,
    k: number,
    options?: LloydOptions,
  ): Promise<LloydSummary> {
    return this.guarded((b) => b.lloydStep((handle as ResilientHandle).inner, centres, k, options));
  }

  assign(handle: DatasetHandle, centres: Float32Array, k: number): Promise<Assignment> {
    return this.guarded((b) => b.assign((handle as ResilientHandle).inner, centres, k));
  }

  async seedReset(handle: DatasetHandle, centres: Float32Array, count = 1): Promise<Float64Array> {
    const h = handle as ResilientHandle;
    const sums = await this.guarded((b) => b.seedReset(h.inner, centres, count));
    h.seedHistory = [{ centres: Float32Array.from(centres), count }];
    return sums;
  }

  async seedUpdate(handle: DatasetHandle, centres: Float32Array, count = 1): Promise<Float64Array> {
    const h = handle as ResilientHandle;
    const sums = await this.guarded((b) => b.seedUpdate(h.inner, centres, count));
    h.seedHistory.push({ centres: Float32Array.from(centres), count });
    return sums;
  }

  seedSample(handle: DatasetHandle, factor: number, seed: number): Promise<Int32Array> {
    return this.guarded((b) => b.seedSample((handle as ResilientHandle).inner, factor, seed));
  }

  seedPotentials(
    handle: DatasetHandle,
    candidates: Float32Array,
    count: number,
  ): Promise<Float64Array> {
    return this.guarded((b) =>
      b.seedPotentials((handle as ResilientHandle).inner, candidates, count),
    );
  }

  seedReadMinDist(handle: DatasetHandle, start: number, count: number): Promise<Float32Array> {
    return this.guarded((b) => b.seedReadMinDist((handle as ResilientHandle).inner, start, count));
  }

  gmmStep(handle: DatasetHandle, params: GmmPassParams): Promise<GmmSummary> {
    return this.guarded((b) => b.gmmStep((handle as ResilientHandle).inner, params));
  }

  gmmAssign(
    handle: DatasetHandle,
    params: GmmPassParams,
    options: { probabilities: boolean },
  ): Promise<GmmAssignment> {
    return this.guarded((b) => b.gmmAssign((handle as ResilientHandle).inner, params, options));
  }

  radiusCount(handle: DatasetHandle, query: RadiusQuery): Promise<RadiusCounts> {
    return this.guarded((b) => b.radiusCount((handle as ResilientHandle).inner, query));
  }

  radiusList(handle: DatasetHandle, query: RadiusQuery, offsets: Int32Array): Promise<Int32Array> {
    return this.guarded((b) => b.radiusList((handle as ResilientHandle).inner, query, offsets));
  }

  async dispose(): Promise<void> {
    await this.current.dispose();
  }
}

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
} from '../../src/backend/backend.js';
import type { DataMatrix } from '../../src/data/matrix.js';

/**
 * A Backend that delegates every pass to a real one and then damages some results, as a faulty
 * kernel would: the mutation tests run the conformance checks on it and expect them to fail.
 * The inner backend's own handles are passed through untouched (like resilient-backend.ts, but
 * with nothing to rebuild).
 */
export interface Mutations {
  lloydStep?: (summary: LloydSummary, matrix: DataMatrix) => void;
  assign?: (assignment: Assignment, matrix: DataMatrix) => void;
  gmmStep?: (summary: GmmSummary, matrix: DataMatrix) => void;
  gmmAssign?: (assignment: GmmAssignment, matrix: DataMatrix) => void;
}

export class MutatingBackend implements Backend {
  constructor(
    private readonly inner: Backend,
    private readonly mutations: Mutations,
  ) {}

  get kind(): Backend['kind'] {
    return this.inner.kind;
  }

  get deviceName(): string {
    return `${this.inner.deviceName} (mutated)`;
  }

  attach(matrix: DataMatrix): Promise<DatasetHandle> {
    return this.inner.attach(matrix);
  }

  detach(handle: DatasetHandle): Promise<void> {
    return this.inner.detach(handle);
  }

  resetLabels(handle: DatasetHandle): Promise<void> {
    return this.inner.resetLabels(handle);
  }

  async lloydStep(
    handle: DatasetHandle,
    centres: Float32Array,
    k: number,
    options?: LloydOptions,
  ): Promise<LloydSummary> {
    const summary = await this.inner.lloydStep(handle, centres, k, options);
    this.mutations.lloydStep?.(summary, handle.matrix);
    return summary;
  }

  async assign(handle: DatasetHandle, centres: Float32Array, k: number): Promise<Assignment> {
    const assignment = await this.inner.assign(handle, centres, k);
    this.mutations.assign?.(assignment, handle.matrix);
    return assignment;
  }

  seedReset(handle: DatasetHandle, centres: Float32Array, count?: number): Promise<Float64Array> {
    return this.inner.seedReset(handle, centres, count);
  }

  seedUpdate(handle: DatasetHandle, centres: Float32Array, count?: number): Promise<Float64Array> {
    return this.inner.seedUpdate(handle, centres, count);
  }

  seedSample(handle: DatasetHandle, factor: number, seed: number): Promise<Int32Array> {
    return this.inner.seedSample(handle, factor, seed);
  }

  seedPotentials(
    handle: DatasetHandle,
    candidates: Float32Array,
    count: number,
  ): Promise<Float64Array> {
    return this.inner.seedPotentials(handle, candidates, count);
  }

  seedReadMinDist(handle: DatasetHandle, start: number, count: number): Promise<Float32Array> {
    return this.inner.seedReadMinDist(handle, start, count);
  }

  async gmmStep(handle: DatasetHandle, params: GmmPassParams): Promise<GmmSummary> {
    const summary = await this.inner.gmmStep(handle, params);
    this.mutations.gmmStep?.(summary, handle.matrix);
    return summary;
  }

  async gmmAssign(
    handle: DatasetHandle,
    params: GmmPassParams,
    options: { probabilities: boolean },
  ): Promise<GmmAssignment> {
    const assignment = await this.inner.gmmAssign(handle, params, options);
    this.mutations.gmmAssign?.(assignment, handle.matrix);
    return assignment;
  }

  radiusCount(handle: DatasetHandle, query: RadiusQuery): Promise<RadiusCounts> {
    return this.inner.radiusCount(handle, query);
  }

  radiusList(handle: DatasetHandle, query: RadiusQuery, offsets: Int32Array): Promise<Int32Array> {
    return this.inner.radiusList(handle, query, offsets);
  }

  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}

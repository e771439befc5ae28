import type { Table } from 'apache-arrow';
import type {
  Backend,
  DatasetHandle,
  GmmPassParams,
  GmmSummary,
  LloydSummary,
} from '../backend/backend.js';
import { withAttached } from '../backend/with-attached.js';
import type { DataMatrix } from '../data/matrix.js';
import type { RoleRequest } from '../data/schema.js';
import type { ChunkSource } from '../io/batch-reader.js';
import type { Preprocessing } from '../prep/preprocess.js';
import type { SpillFile } from '../io/spill-file.js';
import { FileChunks, type PreparedChunk } from './file-chunks.js';
import { openChunkWriter } from '../io/batch-writer.js';
import { segmentNameDictionary } from './describe.js';
import type { NoticeSink } from './notices.js';
import { addGmmPart, addLloydPart, emptyLloydTotal } from './pass-totals.js';
import { ProfileAccumulator } from '../segment/profile.js';
import {
  chunkAssigner,
  outputRows,
  type ChunkAssignment,
  type FinalModel,
  type FitPasses,
  type OutputRequest,
  type ProfileRequest,
} from './fit-passes.js';

/**
 * Passes over a file through a backend, for out-of-core fits and predictions. Each chunk is
 * validated, converted and preprocessed as FileChunks does, and the next chunk is read and
 * prepared on this thread while the backend (worker threads or the GPU) works on the current
 * one, so reading overlaps compute.
 */
export class FilePasses extends FileChunks implements FitPasses {
  constructor(
    source: ChunkSource,
    private readonly backend: Backend,
    columns: RoleRequest,
    prep: Preprocessing | null,
    allowMissing: boolean,
    /** Where the Lloyd passes keep their prepared chunks after the first (none: every pass reads the file). */
    private spill: SpillFile | undefined = undefined,
    private readonly onNotice: NoticeSink = () => undefined,
  ) {
    super(source, columns, prep, allowMissing);
  }

  /** Whether the Lloyd passes read a complete spill rather than the input. */
  get spilled(): boolean {
    return this.spill?.complete === true;
  }

  /** Removes the spill file, if any (the fit's end). */
  close(): void {
    this.spill?.remove();
    this.spill = undefined;
  }

  /**
   * Runs `work` on every chunk's matrix (attached to the backend), one chunk in flight while the
   * next is prepared. Chunks come from the file, or from the spill once it holds them all (when
   * `use` needs no table).
   */
  async each<T>(
    work: (handle: DatasetHandle) => Promise<T>,
    use: (result: T, table: Table, firstRow: number) => Promise<void> | void,
  ): Promise<void> {
    await this.run(this.fromFile(), work, (result, table, firstRow) =>
      use(result, table!, firstRow),
    );
  }

  private async run<T>(
    chunks: AsyncIterable<PreparedChunk>,
    work: (handle: DatasetHandle) => Promise<T>,
    use: (result: T, table: Table | undefined, firstRow: number) => Promise<void> | void,
  ): Promise<void> {
    this.passes++;
    let count = 0;
    let inFlight: { result: Promise<T>; table: Table | undefined; firstRow: number } | undefined;
    const settle = async (): Promise<void> => {
      if (!inFlight) return;
      const done = inFlight;
      inFlight = undefined;
      await use(await done.result, done.table, done.firstRow);
    };
    try {
      for await (const { matrix, table, firstRow } of chunks) {
        await settle();
        inFlight = { result: this.attached(matrix, work), table, firstRow };
        count++;
      }
      await settle();
    } catch (error) {
      // The chunk still in flight settles before the error goes up (no stray rejection later).
      if (inFlight) await inFlight.result.catch(() => undefined);
      throw error;
    }
    this.chunksPerPass = count;
  }

  /** The chunks of an iteration's pass (table-less): from the spill once it holds them all, else from the file, recording them. */
  private iterationChunks(): AsyncGenerator<PreparedChunk> {
    return this.spill?.complete ? this.fromSpill(this.spill) : this.recorded();
  }

  /** Chunks read from the file and prepared, each also appended to the spill while there is one. */
  private async *recorded(): AsyncGenerator<PreparedChunk> {
    const recording = this.spill !== undefined;
    for await (const chunk of this.fromFile()) {
      if (recording) this.record(chunk.matrix, chunk.firstRow);
      yield chunk;
    }
    if (recording && this.spill) this.spill.complete = true;
  }

  /** Chunks read back from the spill, straight into matrix memory. */
  private async *fromSpill(spill: SpillFile): AsyncGenerator<PreparedChunk> {
    for (const chunk of spill.chunks) {
      const matrix = this.rawArenas[this.turn++ % 2].take(chunk.rows, this.outputs);
      spill.read(chunk, matrix);
      yield { matrix, table: undefined, firstRow: chunk.firstRow };
    }
  }

  private record(matrix: DataMatrix, firstRow: number): void {
    if (!this.spill) return;
    try {
      this.spill.append(matrix, firstRow);
    } catch (error) {
      // A full disk costs speed, not the fit: the passes go on reading the file.
      this.onNotice(
        `out-of-core: spilling prepared chunks stopped (${(error as Error).message.split('\n')[0]}); every pass reads the input`,
      );
      this.spill.remove();
      this.spill = undefined;
    }
  }

  private attached<T>(matrix: DataMatrix, work: (handle: DatasetHandle) => Promise<T>): Promise<T> {
    return withAttached(this.backend, matrix, work);
  }

  async profilePass(
    final: FinalModel,
    request: ProfileRequest,
    use: (summary: Float64Array, score: number) => void,
  ): Promise<void> {
    await this.assignedProfilePass(chunkAssigner(this.backend, final), request, use);
  }

  /** profilePass with the rows assigned by `assign` (a model that is not a FinalModel: BIRCH). */
  async assignedProfilePass(
    assign: (handle: DatasetHandle) => Promise<ChunkAssignment>,
    request: ProfileRequest,
    use: (summary: Float64Array, score: number) => void,
  ): Promise<void> {
    await this.each(assign, (a, table) => {
      const part = new ProfileAccumulator(request.k, request.columns, request.shifts);
      part.add(table, a.labels);
      use(part.summary(), a.score);
    });
  }

  async outputPass(final: FinalModel, request: OutputRequest): Promise<void> {
    await this.assignedOutputPass(chunkAssigner(this.backend, final), request);
  }

  /** outputPass with the rows assigned by `assign`. */
  async assignedOutputPass(
    assign: (handle: DatasetHandle) => Promise<ChunkAssignment>,
    request: OutputRequest,
  ): Promise<void> {
    const writer = openChunkWriter(request.output, { option: 'output' }, request.outputs);
    // One dictionary for every chunk, so that the stream's segment_name fields are one.
    const dictionary = request.names ? segmentNameDictionary(request.names) : undefined;
    try {
      await this.each(assign, async (a, table, firstRow) => {
        await writer.write(outputRows(a, table, request, firstRow, dictionary));
      });
      await writer.commit();
    } catch (error) {
      writer.abort();
      throw error;
    }
  }

  async lloydPass(centres: Float32Array, k: number): Promise<LloydSummary> {
    const total = emptyLloydTotal(k, centres.length / k);
    await this.run(
      this.iterationChunks(),
      (h) => this.backend.lloydStep(h, centres, k, { storeLabels: false }),
      (step) => addLloydPart(total, step),
    );
    return total;
  }

  async gmmPass(params: GmmPassParams): Promise<GmmSummary> {
    let total: GmmSummary | undefined;
    await this.run(
      this.iterationChunks(),
      (h) => this.backend.gmmStep(h, params),
      (step) => {
        total = addGmmPart(total, step);
      },
    );
    return total!;
  }
}

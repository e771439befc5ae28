import type { Table } from 'apache-arrow';
import { MatrixArena, type DataMatrix } from '../data/matrix.js';
import type { RoleRequest } from '../data/schema.js';
import type { ChunkSource } from '../io/batch-reader.js';
import { applyPreprocessing, type Preprocessing } from '../prep/preprocess.js';
import { featureMatrix } from './input.js';

/**
 * A file's chunks read in order, each validated (errors name the row in the file), converted and
 * preprocessed into reused matrix memory on this thread. FilePasses adds the backend passes; the
 * host passes here are for work done on this thread row by row in file order (BIRCH's CF-tree,
 * DBSCAN's predict), which needs no device.
 */
export interface PreparedChunk {
  matrix: DataMatrix;
  table: Table | undefined;
  firstRow: number;
}

export class FileChunks {
  passes = 0;
  chunksPerPass = 0;
  /** Two of each, alternating: one chunk can be prepared while the other is still in use. */
  protected readonly rawArenas = [new MatrixArena(), new MatrixArena()];
  private readonly projectedArenas = [new MatrixArena(), new MatrixArena()];
  protected turn = 0;

  constructor(
    protected readonly source: ChunkSource,
    private readonly columns: RoleRequest,
    private readonly prep: Preprocessing | null,
    private readonly allowMissing: boolean,
  ) {}

  /** Names of the clustering columns (after the preprocessing: PCA renames them). */
  protected get outputs(): readonly string[] {
    return this.prep?.outputs ?? this.columns.features ?? [];
  }

  protected prepare(table: Table, firstRow: number): DataMatrix {
    const side = this.turn++ % 2;
    const raw = this.rawArenas[side];
    const projected = this.projectedArenas[side];
    const { matrix } = featureMatrix(table, this.columns, {
      allowMissing: this.allowMissing,
      firstRow,
      allocate: (r, f) => raw.take(r, f),
    });
    return this.prep
      ? applyPreprocessing(this.prep, matrix, (r, f) => projected.take(r, f))
      : matrix;
  }

  /** Chunks read from the file and prepared, in file order. */
  protected async *fromFile(): AsyncGenerator<PreparedChunk> {
    for await (const { table, firstRow } of this.source.chunks()) {
      yield { matrix: this.prepare(table, firstRow), table, firstRow };
    }
  }

  /**
   * One pass handing each chunk's prepared matrix and its table to `use` on this thread, in file
   * order, each chunk finished before the next is read (its matrix memory is reused after).
   */
  async hostPass(
    use: (matrix: DataMatrix, table: Table, firstRow: number) => Promise<void> | void,
  ): Promise<void> {
    this.passes++;
    let count = 0;
    for await (const { matrix, table, firstRow } of this.fromFile()) {
      await use(matrix, table!, firstRow);
      count++;
    }
    this.chunksPerPass = count;
  }
}

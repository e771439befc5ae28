import { closeSync, openSync, readSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { DataMatrix } from '../data/matrix.js';
import { removeStaleFiles, trackTemporary, untrackTemporary } from '../util/atomic-write.js';

const PREFIX = '.gpuseg-spill-';

/** One chunk as spilled: its rows, their first row in the file, and where its bytes start. */
export interface SpilledChunk {
  rows: number;
  firstRow: number;
  offset: number;
}

/**
 * The prepared float32 chunks of an out-of-core fit, kept in a temporary file on local disk so
 * that the Lloyd passes after the first read them back with one read per chunk straight into
 * matrix memory — no Arrow decoding, no type conversion, no preprocessing, and only the
 * clustering columns (N·D·4 bytes, usually far less than the input file). The file is removed
 * when the fit ends, on SIGINT/SIGTERM, or (after a SIGKILL) by the next fit using the folder.
 */
export class SpillFile {
  readonly chunks: SpilledChunk[] = [];
  complete = false;
  private bytes = 0;
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    readonly dims: number,
  ) {
    this.fd = openSync(path, 'w+');
  }

  /** A spill file in `dir` for `bytes` bytes, or the reason there is none. */
  static create(dir: string, bytes: number, dims: number): SpillFile | string {
    removeStaleFiles(dir, PREFIX);
    try {
      const fs = statfsSync(dir);
      const free = Number(fs.bavail) * Number(fs.bsize);
      // Room for the spill and a margin for everything else that writes there.
      if (free < bytes * 1.1 + (256 << 20))
        return `${(bytes / 2 ** 30).toFixed(1)} GiB to spill, ${(free / 2 ** 30).toFixed(1)} GiB free in ${dir}`;
      const path = join(
        dir,
        `${PREFIX}${process.pid}-${Math.random().toString(36).slice(2, 10)}.f32`,
      );
      trackTemporary(path);
      return new SpillFile(path, dims);
    } catch (error) {
      return `cannot write in ${dir}: ${(error as Error).message}`;
    }
  }

  /** Appends a prepared chunk (its matrix data, column-major). */
  append(matrix: DataMatrix, firstRow: number): void {
    const data = new Uint8Array(
      matrix.data.buffer,
      matrix.data.byteOffset,
      matrix.rows * matrix.dims * 4,
    );
    let written = 0;
    while (written < data.length)
      written += writeSync(this.fd!, data, written, data.length - written, this.bytes + written);
    this.chunks.push({ rows: matrix.rows, firstRow, offset: this.bytes });
    this.bytes += data.length;
  }

  /** Reads a spilled chunk into `matrix` (rows × dims, as taken from an arena). */
  read(chunk: SpilledChunk, matrix: DataMatrix): void {
    const data = new Uint8Array(
      matrix.data.buffer,
      matrix.data.byteOffset,
      chunk.rows * this.dims * 4,
    );
    let read = 0;
    while (read < data.length) {
      const n = readSync(this.fd!, data, read, data.length - read, chunk.offset + read);
      if (n === 0) throw new Error(`spill file ${this.path} ended early`);
      read += n;
    }
  }

  remove(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    rmSync(this.path, { force: true });
    untrackTemporary(this.path);
  }
}

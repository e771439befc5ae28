/**
 * The data of bench/shard-overhead.ts: N rows of D float32 features, uniform in [0, 1) from a
 * seeded xorshift generator (uniform rows keep Lloyd moving for many iterations, so that no fit
 * stops before its --max-iter), written twice from the same draws: S shard files of R = N/S
 * rows (shard-000.arrow …, whose sorted order is the shard order) and one Arrow IPC stream of all
 * N rows in batches of R, what `gpuseg fit --out-of-core --chunk-rows R` reads as the same rows.
 */
import { tableFromArrays } from 'apache-arrow';
import { join } from 'node:path';
import { openChunkWriter } from '../src/io/batch-writer.js';

export interface ShardedData {
  /** The glob the workers and the coordinator are given. */
  glob: string;
  shardFiles: string[];
  /** All rows, shard after shard. */
  whole: string;
  rowsPerShard: number;
}

/** The shard files' names in `dir`, zero-padded so that name order is shard order. */
export function shardPaths(dir: string, shards: number): { glob: string; files: string[] } {
  return {
    glob: join(dir, 'shard-*.arrow'),
    files: Array.from({ length: shards }, (_, s) =>
      join(dir, `shard-${String(s).padStart(3, '0')}.arrow`),
    ),
  };
}

export async function writeShardedData(
  dir: string,
  rows: number,
  dims: number,
  shards: number,
): Promise<ShardedData> {
  if (rows % shards !== 0) {
    throw new Error(
      `--rows ${rows} is not a multiple of ${shards} shards: shards of equal rows are compared`,
    );
  }
  const rowsPerShard = rows / shards;
  const { glob, files } = shardPaths(dir, shards);
  const whole = join(dir, 'whole.arrows');
  let state = 0x2545f491;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const all = openChunkWriter(whole);
  try {
    for (const file of files) {
      const columns: Record<string, Float32Array> = {};
      for (let j = 0; j < dims; j++) {
        const column = new Float32Array(rowsPerShard);
        for (let i = 0; i < rowsPerShard; i++) column[i] = next();
        columns[`f${j}`] = column;
      }
      const table = tableFromArrays(columns);
      const shard = openChunkWriter(file);
      try {
        await shard.write(table);
        await shard.commit();
      } catch (error) {
        shard.abort();
        throw error;
      }
      await all.write(table);
    }
    await all.commit();
  } catch (error) {
    all.abort();
    throw error;
  }
  return { glob, shardFiles: files, whole, rowsPerShard };
}

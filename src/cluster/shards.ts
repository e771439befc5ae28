import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * The shards of a sharded run: the files a pattern names, in code-point order of their paths (so
 * shard i is the same file for the coordinator and for the worker started with `--index i`;
 * number them with zero padding: part-00, part-01, …). The pattern's wildcards (`*`, `?`) are in
 * its file name; its folder is literal.
 */
export function expandShards(pattern: string): string[] {
  if (typeof pattern !== 'string' || pattern === '')
    throw new UsageError(
      (opt) => `${opt('shards')}: expected a file pattern such as 'data/part-*.arrow'`,
    );
  const dir = dirname(pattern);
  if (/[*?[\]]/.test(dir))
    throw new UsageError(
      (opt) =>
        `${opt('shards')} '${pattern}': wildcards go in the file name only; the folder '${dir}' must be literal`,
    );
  const name = basename(pattern);
  const re = new RegExp(
    `^${name
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
  );
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (error) {
    throw new UsageError(
      (opt) =>
        `${opt('shards')} '${pattern}': cannot list '${dir}' (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  const files = entries
    .filter((e) => re.test(e))
    .map((e) => join(dir, e))
    .sort();
  if (files.length === 0)
    throw new UsageError((opt) => `${opt('shards')} '${pattern}': no file matches`);
  return files;
}

/** The shard a worker serves: `shard`, or file `index` of `shards`. */
export function chooseShard(
  shard: string | undefined,
  shards: string | undefined,
  index: number | undefined,
): string {
  if (shard !== undefined) {
    if (shards !== undefined || index !== undefined)
      throw new UsageError(
        (opt) => `${opt('shard')} names the shard; drop ${opt('shards')} and ${opt('index')}`,
      );
    return shard;
  }
  if (shards === undefined || index === undefined)
    throw new UsageError(
      (opt) =>
        `name the shard: ${opt('shard')} PATH, or ${opt('shards')} 'GLOB' with ${opt('index')} I (e.g. $JOB_COMPLETION_INDEX)`,
    );
  if (!Number.isInteger(index) || index < 0)
    throw new UsageError((opt) => `${opt('index')}: expected an integer ≥ 0, got ${index}`);
  const files = expandShards(shards);
  if (index >= files.length)
    throw new UsageError(
      (opt) =>
        `${opt('index')} ${index}: ${opt('shards')} '${shards}' matches ${files.length} file(s) (indices 0-${files.length - 1})`,
    );
  return files[index];
}

/** How queues and leases name a shard: its file name (unique within a run, checked by the coordinator). */
export function shardTag(path: string): string {
  return basename(path);
}

import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.js';

/**
 * Outputs are written to a temporary file in the destination's own folder and renamed into place,
 * so a reader never sees a half-written file and an interrupted run leaves the old file (or none).
 * Temporary files still open are tracked so the CLI can remove them when it is interrupted.
 */
const pending = new Set<string>();

export function pendingTemporaryFiles(): ReadonlySet<string> {
  return pending;
}

/** Removes every temporary file of writes that have not finished (used on SIGINT/SIGTERM). */
export function removePendingTemporaryFiles(): void {
  for (const path of pending) {
    try {
      rmSync(path, { force: true });
    } catch {
      // best effort: the process is going down
    }
  }
  pending.clear();
}

/**
 * Temporary files of `path` left by processes that no longer exist (killed before they could
 * clean up: out of memory, SIGKILL) are removed by the next write to the same path.
 */
function removeStaleTemporaries(path: string): void {
  const prefix = `.${basename(path)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    rmSync(join(dirname(path), name), { force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes `parts` (in order) to `path` atomically. */
export function writeFileAtomic(path: string, parts: Iterable<Uint8Array | string>): void {
  removeStaleTemporaries(path);
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  pending.add(tmp);
  let fd: number | undefined;
  try {
    try {
      fd = openSync(tmp, 'w');
    } catch (error) {
      throw new InputError(`cannot write '${path}': ${(error as Error).message}`, { cause: error });
    }
    for (const part of parts) {
      const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot write '${path}': ${(error as Error).message}`, { cause: error });
  } finally {
    pending.delete(tmp);
  }
}

import {
  closeSync,
  createWriteStream,
  fsyncSync,
  mkdtempSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
  type WriteStream,
} from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import {
  diskFullReason,
  EnvironmentError,
  InputError,
  writeFailure,
  type GpusegError,
} from '../errors.js';

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
  removeStaleFiles(dirname(path), `.${basename(path)}.tmp-`);
}

/** Files in `dir` named `<prefix><pid>-…` whose process no longer exists are removed. */
export function removeStaleFiles(dir: string, prefix: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    rmSync(join(dir, name), { force: true });
  }
}

/** A temporary file of this process, removed on SIGINT/SIGTERM with the pending outputs. */
export function trackTemporary(path: string): void {
  pending.add(path);
}

export function untrackTemporary(path: string): void {
  pending.delete(path);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function temporaryPath(path: string): string {
  removeStaleTemporaries(path);
  const tmp = join(
    dirname(path),
    `.${basename(path)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
  );
  pending.add(tmp);
  return tmp;
}

function openTemporary(path: string, tmp: string): number {
  try {
    return openSync(tmp, 'w');
  } catch (error) {
    pending.delete(tmp);
    throw cannotWrite(path, error);
  }
}

/** A disk (or quota, or file-size limit) full is an EnvironmentError; any other failure an InputError. */
function cannotWrite(path: string, error: unknown): GpusegError {
  return writeFailure(path, error, (message) => new InputError(message, { cause: error }));
}

/** Writes `parts` (in order) to `path` atomically. */
export function writeFileAtomic(path: string, parts: Iterable<Uint8Array | string>): void {
  const tmp = temporaryPath(path);
  let fd: number | undefined = openTemporary(path, tmp);
  try {
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
    throw cannotWrite(path, error);
  } finally {
    pending.delete(tmp);
  }
}

/**
 * The same guarantee for an output written piece by piece over a long run (out-of-core fits):
 * `stream` takes the bytes, `commit` renames the finished file into place, `abort` removes it.
 */
export class AtomicFileStream {
  readonly stream: WriteStream;
  private readonly tmp: string;
  private readonly fd: number;
  private settled = false;
  /** A write error (disk full): kept, since an unheard 'error' event would end the process. */
  private failure: Error | undefined;

  constructor(readonly path: string) {
    this.tmp = temporaryPath(path);
    this.fd = openTemporary(path, this.tmp);
    this.stream = createWriteStream('', { fd: this.fd, autoClose: false });
    this.stream.on('error', (error) => (this.failure ??= error));
  }

  /** Throws the stream's write error (disk full, ...) as the error a user sees, if there was one. */
  check(): void {
    if (this.failure) throw cannotWrite(this.path, this.failure);
  }

  /** Writes a piece, waiting while the stream's buffer is full. */
  async write(piece: Uint8Array | string): Promise<void> {
    this.check();
    try {
      if (!this.stream.write(piece))
        await Promise.race([once(this.stream, 'drain'), once(this.stream, 'error')]);
    } catch (error) {
      this.failure ??= error as Error;
    }
    this.check();
  }

  async commit(): Promise<void> {
    try {
      if (this.failure) throw this.failure;
      if (!this.stream.writableFinished) {
        this.stream.end();
        await once(this.stream, 'finish');
      }
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.settled = true;
      renameSync(this.tmp, this.path);
    } catch (error) {
      this.abort();
      throw cannotWrite(this.path, error);
    } finally {
      pending.delete(this.tmp);
    }
  }

  abort(): void {
    this.stream.destroy();
    if (!this.settled) {
      this.settled = true;
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
    }
    rmSync(this.tmp, { force: true });
    pending.delete(this.tmp);
  }
}

/** Why a folder could not be used, by errno code. */
const FOLDER_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'it does not exist',
  ENOTDIR: 'it is not a folder',
  EACCES: 'it is not writable (permission denied)',
  EPERM: 'it is not writable (operation not permitted)',
  EROFS: 'it is on a read-only file system',
};

/**
 * A new private folder under the temporary folder (TMPDIR, or the system's), for work files;
 * the caller removes it. A missing, read-only or full temporary folder is an EnvironmentError
 * saying so, rather than whatever the failed call happened to report.
 */
export function makeTemporaryFolder(prefix: string): string {
  const base = tmpdir();
  try {
    return mkdtempSync(join(base, prefix));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const why =
      diskFullReason(error) ?? FOLDER_PROBLEMS[code] ?? (error as Error).message.split('\n')[0];
    throw new EnvironmentError(
      `the temporary folder '${base}' cannot be used: ${why}; set TMPDIR to a writable folder`,
      { cause: error },
    );
  }
}

import {
  closeSync,
  createWriteStream,
  fsyncSync,
  mkdtempSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  type Stats,
  type WriteStream,
} from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import {
  diskFullReason,
  EnvironmentError,
  InputError,
  UsageError,
  subjectName,
  writeFailure,
  type GpusegError,
  type Subject,
} from '../errors.js';
import { checkObjectArgument, checkStringArgument } from './arguments.js';

/**
 * Outputs are written to a temporary file in the destination's own folder and renamed into place,
 * so a reader never sees a half-written file and an interrupted run leaves the old file (or none).
 * Temporary files still open are tracked so the CLI can remove them when it is interrupted.
 */
const pending = new Set<string>();

/**
 * Outputs put in place since `recordWrittenOutputs()` (the CLI calls it: an interrupted run says
 * what it had written); nothing is recorded otherwise, so a long-running library process keeps no list.
 */
let written: string[] | undefined;

export function recordWrittenOutputs(): void {
  written ??= [];
}

export function writtenOutputs(): readonly string[] {
  return written ?? [];
}

/** The last step of every write: the finished temporary file becomes the output. */
function moveIntoPlace(tmp: string, path: string): void {
  renameSync(tmp, path);
  written?.push(path);
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

/**
 * A disk (or quota, or file-size limit) full, or a folder that cannot take files (permissions, a
 * read-only file system), is an EnvironmentError; any other failure an InputError.
 */
function cannotWrite(path: string, error: unknown): GpusegError {
  return writeFailure(path, error, (message) => {
    const why = UNWRITABLE[(error as NodeJS.ErrnoException).code ?? ''];
    return why
      ? new EnvironmentError(`cannot write '${path}': ${why}`, { cause: error })
      : new InputError(message, { cause: error });
  });
}

/**
 * Writes `parts` (in order) to `path` atomically. With `into`, the finished temporary file is
 * handed to that set, which renames it with the others at its commit.
 */
export function writeFileAtomic(
  path: string,
  parts: Iterable<Uint8Array | string>,
  into?: OutputSet,
): void {
  const tmp = temporaryPath(path);
  let fd: number | undefined = openTemporary(path, tmp);
  let staged = false;
  try {
    for (const part of parts) {
      const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    if (into) staged = into.stage(tmp, path);
    else moveIntoPlace(tmp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw cannotWrite(path, error);
  } finally {
    if (!staged) pending.delete(tmp);
  }
}

/**
 * Outputs of one run that appear together or not at all (segments, model, profiles: a model
 * without its segments, or segments beside an older model, is a mismatched pair). Made before the
 * work, it checks that every output's folder exists and can be written, so that a run never fails
 * at its end over a folder; each output is then written to its temporary file in its own folder
 * (`writeFileAtomic(path, parts, set)`, `writeTable(path, table, flag, set)`, `saveModel(path,
 * model, set)`, a chunk writer's `commit`), and `commit()` renames them all into place. A failure
 * before that, or `abort()`, removes every temporary file and leaves every destination as it was.
 * (Renames within a folder do not fail in practice; if one did, the outputs renamed before it
 * would stay.) Temporary files are also removed on SIGINT/SIGTERM, as every pending output's.
 */
export class OutputSet {
  private readonly staged: { tmp: string; path: string }[] = [];
  private done = false;

  /** `outputs`: flag (for messages) to path; undefined paths are skipped. */
  constructor(outputs: Readonly<Record<string, string | undefined>> = {}) {
    checkObjectArgument(outputs, 'outputs');
    for (const [flag, path] of Object.entries(outputs))
      if (path !== undefined) checkOutputFolder(path, flag);
  }

  /** Takes a finished temporary file of `path` (writers call this); false once settled. */
  stage(tmp: string, path: string): boolean {
    if (this.done) throw new Error(`output set already settled; cannot add '${path}'`);
    this.staged.push({ tmp, path });
    return true;
  }

  /** The destinations staged so far, in order. */
  get paths(): string[] {
    return this.staged.map((s) => s.path);
  }

  /** Renames every staged output into place. */
  commit(): void {
    if (this.done) return;
    this.done = true;
    let i = 0;
    try {
      for (; i < this.staged.length; i++) {
        moveIntoPlace(this.staged[i].tmp, this.staged[i].path);
        pending.delete(this.staged[i].tmp);
      }
    } catch (error) {
      const failed = this.staged[i].path;
      this.removeFrom(i);
      throw cannotWrite(failed, error);
    }
  }

  /** Removes every staged temporary file; the destinations stay as they were. Idempotent. */
  abort(): void {
    if (this.done) return;
    this.done = true;
    this.removeFrom(0);
  }

  private removeFrom(first: number): void {
    for (const { tmp } of this.staged.slice(first)) {
      rmSync(tmp, { force: true });
      pending.delete(tmp);
    }
  }
}

/** Why an output folder cannot take files, by errno code; the class of error each is. */
const UNWRITABLE: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
};

/**
 * Checks that `path`'s folder exists and a file can be created in it (by creating and removing
 * one), before any work: a missing folder is a usage error (exit 2), a folder that cannot be
 * written (permissions, a read-only or full file system) an environment error (exit 5).
 */
export function checkOutputFolder(path: string, flag: Subject): void {
  checkStringArgument(path, 'path');
  const output = (opt: (option: string) => string): string => `${subjectName(flag, opt)} '${path}'`;
  const folder = dirname(resolve(path));
  let isFolder = false;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    // missing: below
  }
  if (!isFolder) throw new UsageError((opt) => `${output(opt)}: folder '${folder}' does not exist`);
  let existing: Stats | undefined;
  try {
    existing = statSync(path);
  } catch {
    // a new file
  }
  if (existing?.isDirectory())
    throw new UsageError((opt) => `${output(opt)} is a folder; name a file to write`);
  const probe = join(folder, `.${basename(path)}.tmp-${process.pid}-probe`);
  try {
    closeSync(openSync(probe, 'wx'));
    rmSync(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return rmSync(probe, { force: true });
    const why = diskFullReason(error) ?? UNWRITABLE[code];
    if (why)
      throw new EnvironmentError(
        (opt) => `${output(opt)}: folder '${folder}' cannot be written: ${why}`,
        { cause: error },
      );
    throw new InputError(
      (opt) => `${output(opt)}: cannot write in '${folder}': ${(error as Error).message}`,
      { cause: error },
    );
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

  /** `into`: `commit` hands the finished file to that set instead of renaming it. */
  constructor(
    readonly path: string,
    private readonly into?: OutputSet,
  ) {
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
    let staged = false;
    try {
      if (this.failure) throw this.failure;
      if (!this.stream.writableFinished) {
        this.stream.end();
        await once(this.stream, 'finish');
      }
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.settled = true;
      if (this.into) staged = this.into.stage(this.tmp, this.path);
      else moveIntoPlace(this.tmp, this.path);
    } catch (error) {
      this.abort();
      throw cannotWrite(this.path, error);
    } finally {
      if (!staged) pending.delete(this.tmp);
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

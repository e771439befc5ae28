import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.js';

/**
 * One writer at a time on a --history store. A run holds `DIR/.lock` (created exclusively, holding
 * its process id) while it repairs or writes the store; a lock whose process is gone (killed
 * mid-write) is stale and taken over. The lock is per machine: process ids are not checked across
 * hosts sharing a folder. Runs that overlap in time are caught at the write: the writer checks
 * that `latest` is still what it planned from (storeChanged), so the later one fails clearly
 * instead of writing a period on a store it did not read.
 */
const LOCK = '.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but is someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holder(path: string): number | undefined {
  try {
    const pid = Number(JSON.parse(readFileSync(path, 'utf8')).pid);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `fn` holding the store's lock; a live holder is an error (code GPUSEG_STORE_BUSY). */
export function withStoreLock<T>(dir: string, fn: () => T): T {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK);
  let fd: number | undefined;
  for (let attempt = 0; fd === undefined; attempt++) {
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0)
        throw busy(dir, path, error);
      const pid = holder(path);
      // Unreadable (a writer killed between create and write) or a dead process: stale.
      if (pid !== undefined && alive(pid)) throw busy(dir, path, error);
      rmSync(path, { force: true });
    }
  }
  try {
    writeSync(fd, JSON.stringify({ pid: process.pid }) + '\n');
    closeSync(fd);
    return fn();
  } finally {
    rmSync(path, { force: true });
  }
}

function busy(dir: string, path: string, cause: unknown): EnvironmentError {
  const pid = holder(path);
  return new EnvironmentError(
    (opt) =>
      `${opt('history')} ${dir}: the store is in use by another run${pid ? ` (process ${pid})` : ''}; wait for it to finish, or remove ${path} if no run is using the store`,
    { cause, code: 'GPUSEG_STORE_BUSY' },
  );
}

/**
 * Undoes what an interrupted write left (call holding the lock): a period moved aside to be
 * replaced (`.old-<as-of>-<pid>`) goes back where the replacement never arrived; temporary
 * folders and files of dead writers are removed. Periods and `latest` are otherwise untouched.
 */
export function recoverInterrupted(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const m = /^\.(tmp|old|latest)-(?:(\d{4}-\d{2}-\d{2})-)?(\d+)$/.exec(name);
    if (!m || Number(m[3]) === process.pid) continue;
    const [, kind, asOf] = m;
    if (kind === 'old' && asOf && !existsSync(join(dir, asOf)))
      renameSync(join(dir, name), join(dir, asOf));
    else rmSync(join(dir, name), { recursive: true, force: true });
  }
}

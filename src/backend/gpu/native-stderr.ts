import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Dawn prints two lines to the process's stderr (file descriptor 2, from native code) when its
 * first adapter request enumerates a Vulkan device whose dynamic-buffer limits exceed its own:
 * `Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 …`
 * (lavapipe does). A library must not write to its host's stderr and the CLI must not show them
 * (issue 15). The request enumerates synchronously, inside the call, so for that one call
 * descriptor 2 is pointed at a private file: what Dawn wrote there is passed on to stderr, less
 * those warnings. No JavaScript runs in between, so none of the host's own output is caught.
 * Where descriptors cannot be reopened (no /proc or /dev/fd, stderr a socket), fn runs as it is.
 */
const DAWN_LIMIT_WARNING = /^Warning: maxDynamic\w+ artificially reduced from \d+ to \d+.*$/;

export function filterNativeStderr<T>(fn: () => T): T {
  const fdDir =
    process.platform === 'linux' ? '/proc/self/fd' : process.platform === 'win32' ? '' : '/dev/fd';
  let saved: number | undefined;
  let capture: string | undefined;
  try {
    if (!fdDir) return fn();
    saved = openSync(`${fdDir}/2`, 'a');
    capture = join(tmpdir(), `gpuseg-stderr-${process.pid}-${Date.now()}`);
    const file = openSync(capture, 'w+', 0o600);
    closeSync(2);
    const moved = openSync(capture, 'a');
    closeSync(file);
    if (moved !== 2) {
      // Descriptor 0 or 1 was closed and took the place: put stderr back and run unfiltered.
      closeSync(moved);
      restore(saved, fdDir);
      saved = undefined;
      return fn();
    }
  } catch {
    if (saved !== undefined) closeSync(saved);
    if (capture) rmSync(capture, { force: true });
    return fn();
  }
  try {
    return fn();
  } finally {
    closeSync(2);
    restore(saved, fdDir);
    const text = readFileSync(capture, 'utf8');
    rmSync(capture, { force: true });
    const kept = text.split('\n').filter((line) => line !== '' && !DAWN_LIMIT_WARNING.test(line));
    if (kept.length > 0) process.stderr.write(`${kept.join('\n')}\n`);
  }
}

/** Reopens the saved stderr as descriptor 2 (the lowest free one), then closes the copy. */
function restore(saved: number, fdDir: string): void {
  const back = openSync(`${fdDir}/${saved}`, 'a');
  if (back !== 2) throw new Error(`stderr could not be restored (got descriptor ${back})`);
  closeSync(saved);
}

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const BIN = join(ROOT, 'dist/src/cli/bin.js');

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (npm test builds first) with a private XDG_RUNTIME_DIR for Mesa. */
export function gpuseg(args: string[], env: Record<string, string> = {}, cwd = ROOT): RunResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? tmpdir(), ...env },
    timeout: 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** stderr without Dawn's two start-up warnings about dynamic-offset limits (printed by native code). */
export function errors(r: RunResult): string {
  return r.stderr
    .split('\n')
    .filter((l) => l.trim() && !/^Warning: maxDynamic\w+ artificially reduced/.test(l))
    .join('\n');
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'gpuseg-test-'));
}

/** Files in a folder (to check that a failed run left nothing behind, temporary files included). */
export function filesIn(dir: string): string[] {
  return readdirSync(dir).sort();
}

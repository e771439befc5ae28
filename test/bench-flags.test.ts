import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { ROOT } from './helpers/cli.js';

/**
 * The bench scripts' flags (bench/bench-flags.ts): `--help` lists every flag with its default, and
 * a bad flag is one line on stderr naming the script and the flag, exit 2, before any work (these
 * benches otherwise write temporary files of gigabytes). Needs the build (dist/).
 */
function bench(script: string, args: string[]) {
  return spawnSync(process.execPath, [`dist/bench/${script}.js`, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('bench script flags', () => {
  test.each([
    ['host-work', ['--input', '--rounds', '--backend']],
    ['algorithms-vs-sklearn', ['--rows', '--only', '--no-sklearn']],
    ['track-overhead', ['--rows', '--persist']],
    ['report-time', ['--prepare', '--demo']],
    ['gen-features', ['--rows', '--output', '--type']],
    ['lloyd-variants', ['--rows', '--iterations']],
  ])('%s --help lists its flags and exits 0', (script, flags) => {
    const r = bench(script, ['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`usage: node dist/bench/${script}.js`);
    for (const flag of flags) expect(r.stdout).toMatch(new RegExp(`^  ${flag}\\b`, 'm'));
    expect(r.stdout).toMatch(/\(default: /);
  });

  test.each([
    ['host-work', ['--bogus'], "host-work: Unknown option '--bogus'"],
    [
      'host-work',
      ['--input', '/no/such/file.arrow'],
      "host-work: --input: no file '/no/such/file.arrow'",
    ],
    [
      'host-work',
      ['--input', 'x', '--rounds', 'two'],
      'host-work: --rounds: expected a positive integer',
    ],
    ['track-overhead', ['--rows', 'abc'], 'track-overhead: --rows: expected a positive integer'],
    [
      'report-time',
      ['--backend', 'tpu'],
      "report-time: --backend: expected cpu, gpu or auto, got 'tpu'",
    ],
    [
      'algorithms-vs-sklearn',
      ['--only', 'kmeanz'],
      'algorithms-vs-sklearn: --only: no case kmeanz',
    ],
    ['gen-features', ['--rows', '10'], 'gen-features: --rows and --output are required'],
    [
      'gen-features',
      ['--rows', '10', '--output', 'x.arrow', '--type', 'f16'],
      "gen-features: --type: expected one of float32, float64, mixed, got 'f16'",
    ],
    ['lloyd-variants', ['--k', '0'], 'lloyd-variants: --k: expected a positive integer'],
    [
      'algorithms-vs-sklearn',
      ['--timeout', '0'],
      'algorithms-vs-sklearn: --timeout: expected seconds > 0',
    ],
  ])('%s %j is a one-line usage error (exit 2)', (script, args, message) => {
    const r = bench(script, args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
    expect(lines[0]).toMatch(/\(see --help\)$/);
  });
});

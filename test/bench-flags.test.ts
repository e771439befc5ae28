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
    ['cpu-lloyd-kernels', ['--rows', '--dims', '--k', '--repeats', '--tiles', '--json']],
    ['dbscan-predict', ['--model', '--input', '--backend', '--rows', '--repeat']],
    ['dbscan-time', ['--rows', '--dims']],
    [
      'shard-overhead',
      ['--rows', '--workers', '--k', '--iterations', '--floor-ratio', '--dry-run'],
    ],
    ['soak', ['--fits', '--backend', '--rows', '--dims', '--k', '--json']],
    ['startup', ['--rounds', '--tree', '--json']],
    ['yinyang-fit', ['--rows', '--k', '--iterations', '--variants', '--max-share', '--spread']],
    ['report-screenshot', ['--html', '--out'], false],
  ])('%s --help lists its flags and exits 0', (script, flags, defaults = true) => {
    const r = bench(script, ['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`usage: node dist/bench/${script}.js`);
    for (const flag of flags) expect(r.stdout).toMatch(new RegExp(`^  ${flag}\\b`, 'm'));
    // report-screenshot's flags have no default parseArgs knows (its defaults are paths).
    if (defaults) expect(r.stdout).toMatch(/\(default: /);
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
    ['cpu-lloyd-kernels', ['--k', '0'], 'cpu-lloyd-kernels: --k: expected a positive integer'],
    [
      'cpu-lloyd-kernels',
      ['--tiles', '2x4,3by3'],
      "cpu-lloyd-kernels: --tiles: expected tiles like 2x4,3x3, got '3by3'",
    ],
    ['dbscan-predict', ['--model', 'm.json'], 'dbscan-predict: --model and --input are required'],
    [
      'dbscan-predict',
      ['--model', '/no/such/model.json', '--input', 'package.json'],
      "dbscan-predict: --model: no file '/no/such/model.json'",
    ],
    [
      'dbscan-predict',
      ['--model', 'package.json', '--input', 'package.json', '--backend', 'tpu'],
      "dbscan-predict: --backend: expected cpu, gpu or auto, got 'tpu'",
    ],
    [
      'dbscan-predict',
      ['--model', 'package.json', '--input', 'package.json', '--repeat', 'x'],
      'dbscan-predict: --repeat: expected a positive integer',
    ],
    ['dbscan-time', ['--rows', '1.5'], 'dbscan-time: --rows: expected a positive integer'],
    ['dbscan-time', ['--dims', '2,4'], "dbscan-time: --dims: expected 2, 3 or 8, got '4'"],
    ['shard-overhead', ['--k', '8,x'], 'shard-overhead: --k: expected a positive integer'],
    [
      'shard-overhead',
      ['--iterations', '6,2'],
      "shard-overhead: --iterations: expected SHORT,LONG with LONG > SHORT, got '6,2'",
    ],
    [
      'shard-overhead',
      ['--dry-run', '--floor-ratio', '0'],
      "shard-overhead: --floor-ratio: expected a number > 0, got '0'",
    ],
    [
      'shard-overhead',
      ['--dry-run', '--backend', 'tpu'],
      "shard-overhead: --backend: expected auto, cpu or gpu, got 'tpu'",
    ],
    ['shard-overhead', ['--redis'], "shard-overhead: Unknown option '--redis'"],
    ['soak', ['--fits', 'many'], 'soak: --fits: expected a positive integer'],
    ['soak', ['--backend', 'auto'], "soak: --backend: expected cpu or gpu, got 'auto'"],
    ['startup', ['--rounds', '0'], 'startup: --rounds: expected a positive integer'],
    [
      'startup',
      ['--tree', '.', '--tree', '/no/such/tree'],
      "startup: --tree: no build in '/no/such/tree'",
    ],
    ['yinyang-fit', ['--k', '16,0'], 'yinyang-fit: --k: expected a positive integer'],
    [
      'yinyang-fit',
      ['--variants', 'yinyang,elkan'],
      "yinyang-fit: --variants: expected yinyang, hamerly or full, got 'elkan'",
    ],
    ['yinyang-fit', ['--spread=-1'], "yinyang-fit: --spread: expected a number > 0, got '-1'"],
    ['report-screenshot', ['--bogus'], "report-screenshot: Unknown option '--bogus'"],
    ['report-screenshot', ['--out'], "report-screenshot: Option '--out <value>' argument missing"],
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

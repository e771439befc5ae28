import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { hasGpu } from './helpers/backends.js';
import { ROOT, tempDir } from './helpers/cli.js';

/**
 * bench/device-check.sh --quick, end to end on the software GPU, so that the one prepared command
 * for the GPU machine cannot rot: every stage runs (at small sizes) and is recorded in both
 * files, in order, as ok. Needs the build (dist/), as the CLI tests do.
 */
describe.skipIf(!hasGpu)('the device check (--quick)', () => {
  test('every stage runs and lands in device-results.json and device-results.md', () => {
    const out = join(tempDir(), 'dc');
    const stages = spawnSync(process.execPath, ['dist/bench/device-check.js', 'list', '--quick'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .stdout.trim()
      .split('\n')
      .map((line) => line.split(' ')[0]);
    expect(stages).toContain('anchors');
    expect(stages.length).toBeGreaterThanOrEqual(15);
    const r = spawnSync('bash', ['bench/device-check.sh', '--quick', out], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DEVICE_CHECK_BUDGET_S: '900' },
      timeout: 900_000,
    });
    const results = JSON.parse(readFileSync(join(out, 'device-results.json'), 'utf8')) as {
      quick: boolean;
      stages: { name: string; title: string; status: string; reason?: string; result?: unknown }[];
    };
    expect(results.quick).toBe(true);
    expect(results.stages.map((s) => s.name)).toEqual(stages);
    for (const s of results.stages) {
      expect([s.name, s.status, s.reason]).toEqual([s.name, 'ok', undefined]);
      expect(s.result).toBeDefined();
    }
    const md = readFileSync(join(out, 'device-results.md'), 'utf8');
    for (const s of results.stages) expect(md).toContain(`## ${s.title} — ok`);
    // No PyTorch here: the anchor is a row that says why, not a missing row.
    expect(md).toMatch(/\| PyTorch \| (skipped: .+|NVIDIA.+) \|/);
    // The floor is a bandwidth apart from the round trip, and each iteration splits into its
    // kernels alone and the rest; every stage says where its time went (phases), and its log has
    // a line per phase.
    expect(md).toMatch(
      /\| read floor \(WGSL sweeps, many to a submission\) \| [\d.]+ GB\/s \| [\d.]+ \|/,
    );
    expect(md).toMatch(/\| round trip of a pass [^|]*\| [^|]+ \| [\d.]+ \|/);
    const lloyd = results.stages.find((s) => s.name === 'lloyd-10Mx16-k8')?.result as Record<
      string,
      unknown
    >;
    for (const key of ['kernelMs', 'restMs', 'roundTripMs', 'hostMs', 'floorGbps', 'floorMs'])
      expect([key, typeof lloyd[key]]).toEqual([key, 'number']);
    expect(Object.keys(lloyd.phases as object)).toContain('generate');
    for (const s of results.stages) {
      if (s.name !== 'device')
        expect(md.split(`## ${s.title}`)[1].split('\n## ')[0]).toMatch(/phases \(s\): |generate s/);
      expect(readFileSync(join(out, `${s.name}.log`), 'utf8')).toMatch(
        new RegExp(`${s.name}: done in [\\d.]+ s`),
      );
    }
    expect(r.status).toBe(0);
  }, 900_000);
});

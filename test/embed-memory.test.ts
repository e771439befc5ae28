import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { ROOT } from './helpers/cli.js';

/**
 * A long-lived process that fits again and again must not grow (issue 15): 100 fits cancelled
 * through their signal after one iteration, on the CPU worker threads in one child process (two
 * workers, without --expose-gc, as a host runs), RSS after fit 100 within 50 MB of RSS after fit 10.
 * Completed fits (`embed-soak.mjs 100 complete`) still grow ~5 MB a fit on this machine despite the
 * collections in collect.ts (measured 183 → 434 MB over fits 10 → 100): not fixed yet, so not
 * asserted here; issue 15 stays open for it.
 */
test.each(['cancel'])(
  '100 worker-path CPU fits (%s) in one process keep RSS flat',
  (mode) => {
    const r = spawnSync(process.execPath, ['test/programs/embed-soak.mjs', '100', mode], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, GPUSEG_THREADS: '2' },
      timeout: 240_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const rss = JSON.parse(r.stdout) as Record<string, number>;
    const grown = (rss['100'] - rss['10']) / 2 ** 20;
    expect(grown, `RSS after fit 10 → 100: ${JSON.stringify(rss)}`).toBeLessThanOrEqual(50);
  },
  300_000,
);

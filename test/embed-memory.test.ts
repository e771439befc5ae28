import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { ROOT } from './helpers/cli.js';

/**
 * A long-lived process that fits again and again must not grow (issue 15): 100 fits on the CPU
 * worker threads in one child process (two workers, without --expose-gc, as a host runs), RSS
 * after fit 100 within 50 MB of RSS after fit 10. Before the fix it grew ~4 MB a fit. The same for
 * 100 fits cancelled through their signal after one iteration.
 */
test.each(['complete', 'cancel'])(
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

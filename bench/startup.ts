/**
 * Start-up of an embedding host and of the CLI (issue 15), trees side by side: each round runs,
 * for every tree in turn, child processes of a bare Node, of a Node that does
 * `await import('<tree>/dist/src/index.js')`, and of `gpuseg --version` and `gpuseg --help`.
 * Import time is measured inside the child (performance.now() around the import); RSS over bare
 * Node is the child's RSS after the import less the bare child's; the CLI's times are wall times
 * from spawn to exit, as a shell sees them, next to a bare `node -e ''`'s. Medians and ranges over the rounds.
 *
 *   npm run build && node dist/bench/startup.js [--rounds 20] [--tree DIR ...] [--json]
 *
 * Trees default to this one; give an older build (`git archive REV | tar -x -C DIR`, then
 * `npm run build` there with node_modules linked) to compare. Timings mean something only side
 * by side on one machine: say its load.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCount, benchFlags, usageExit } from './bench-flags.js';

const values = benchFlags(
  'startup',
  'Start-up of an embedding host (import) and of the CLI (--version, --help), trees side by side.',
  {
    rounds: { type: 'string', default: '20' },
    tree: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
  },
  {
    rounds: 'rounds; medians and ranges are printed',
    tree: 'a built gpuseg tree to measure (repeat the flag to compare trees; default: this one)',
    json: 'print the results as JSON',
  },
);
const rounds = benchCount('startup', values.rounds, '--rounds');
const trees = (values.tree ?? [fileURLToPath(new URL('../..', import.meta.url))]).map((t) =>
  resolve(t),
);
for (const tree of trees)
  if (!existsSync(resolve(tree, 'dist/src/index.js')))
    usageExit('startup', `--tree: no build in '${tree}' (dist/src/index.js)`);

const MIB = 2 ** 20;

/** Milliseconds the import took in the child, and its RSS after, in MiB. */
function importChild(tree: string | undefined): { ms: number; rssMib: number } {
  const target = tree && JSON.stringify(resolve(tree, 'dist/src/index.js'));
  const code = `const t = performance.now(); ${target ? `await import(${target});` : ''}
    console.log(JSON.stringify({ ms: performance.now() - t, rssMib: process.memoryUsage().rss / ${MIB} }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as { ms: number; rssMib: number };
}

/** Wall seconds of `gpuseg <flag>`, or (no tree) of a bare `node -e ''`, the floor. */
function cliSeconds(tree: string | undefined, flag: string): number {
  const args = tree ? [resolve(tree, 'dist/src/cli/bin.js'), flag] : ['-e', ''];
  const started = performance.now();
  execFileSync(process.execPath, args, { stdio: 'ignore' });
  return (performance.now() - started) / 1000;
}

interface Samples {
  importMs: number[];
  rssOverBareMib: number[];
  versionSeconds: number[];
  helpSeconds: number[];
}

const bareSeconds: number[] = [];
const samples = new Map<string, Samples>(
  trees.map((t) => [t, { importMs: [], rssOverBareMib: [], versionSeconds: [], helpSeconds: [] }]),
);
for (let round = 0; round < rounds; round++) {
  bareSeconds.push(cliSeconds(undefined, ''));
  for (const tree of trees) {
    const s = samples.get(tree)!;
    const bare = importChild(undefined);
    const imported = importChild(tree);
    s.importMs.push(imported.ms);
    s.rssOverBareMib.push(imported.rssMib - bare.rssMib);
    s.versionSeconds.push(cliSeconds(tree, '--version'));
    s.helpSeconds.push(cliSeconds(tree, '--help'));
  }
}

function summary(v: number[]): { median: number; min: number; max: number } {
  const s = [...v].sort((a, b) => a - b);
  return { median: s[s.length >> 1], min: s[0], max: s[s.length - 1] };
}

const report = trees.map((tree) => {
  const s = samples.get(tree)!;
  return {
    tree,
    importMs: summary(s.importMs),
    rssOverBareMib: summary(s.rssOverBareMib),
    versionSeconds: summary(s.versionSeconds),
    helpSeconds: summary(s.helpSeconds),
  };
});
if (values.json)
  console.log(JSON.stringify({ rounds, bareNodeSeconds: summary(bareSeconds), report }));
else {
  const fmt = (x: { median: number; min: number; max: number }, digits: number): string =>
    `${x.median.toFixed(digits)} (${x.min.toFixed(digits)}–${x.max.toFixed(digits)})`;
  console.log(
    `${rounds} rounds; median (min–max); a bare \`node -e ''\` takes ${fmt(summary(bareSeconds), 3)} s`,
  );
  for (const r of report)
    console.log(
      `${r.tree}\n  import('gpuseg') ${fmt(r.importMs, 1)} ms, +${fmt(r.rssOverBareMib, 1)} MiB RSS over bare Node\n  gpuseg --version ${fmt(r.versionSeconds, 3)} s   gpuseg --help ${fmt(r.helpSeconds, 3)} s`,
    );
}

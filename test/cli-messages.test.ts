import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { gpuseg, tempDir } from './helpers/cli.js';

/** One flag's entry in commander's help: its line and the wrapped lines under it, joined. */
function helpEntry(help: string, flag: string): string {
  const lines = help.split('\n');
  const start = lines.findIndex((l) => l.trimStart().startsWith(`${flag} `));
  expect(start, `${flag} in the help`).toBeGreaterThanOrEqual(0);
  const entry = [lines[start]];
  for (const line of lines.slice(start + 1)) {
    if (/^\s{2}-/.test(line) || line.trim() === '') break;
    entry.push(line);
  }
  return entry.map((l) => l.trim()).join(' ');
}

test("segment --help gives segment's defaults (RFM columns, log of the skewed two), which the run uses", () => {
  const help = gpuseg(['segment', '--help']);
  expect(help.status).toBe(0);
  // fit's help text said "every numeric column except the id and --profile columns": not segment's.
  expect(helpEntry(help.stdout, '--features')).toMatch(
    /\(default: recency_days,frequency,monetary\)$/,
  );
  expect(helpEntry(help.stdout, '--profile')).toMatch(/default: the RFM columns not clustered/);
  expect(helpEntry(help.stdout, '--log')).toMatch(
    /\(default: frequency,monetary where clustered\)$/,
  );

  // The run without those flags says the same in its settings line.
  const dir = tempDir();
  const log = ['c,d,a'];
  for (let c = 1; c <= 12; c++)
    for (let t = 0; t <= c % 4; t++)
      log.push(`${c},2024-0${1 + ((c + t) % 9)}-1${t},${5 + ((c * 7 + t) % 40)}`);
  writeFileSync(join(dir, 'tx.csv'), log.join('\n'));
  const r = gpuseg([
    'segment',
    join(dir, 'tx.csv'),
    ...['--customer', 'c', '--date', 'd', '--amount', 'a', '--k', '2', '--backend', 'cpu'],
    ...['--output', join(dir, 'segments.csv')],
  ]);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(
    /features=recency_days,frequency,monetary +profile=avg_order_value,tenure_days,return_rate +log=frequency,monetary /,
  );
});

test("--history 'store/' (a trailing slash, as the README writes it) prints the period's folder as one path", () => {
  const dir = tempDir();
  writeFileSync(join(dir, 't.csv'), 'id,x,y\n1,1,2\n2,2,1\n3,8,9\n4,9,8\n');
  const r = gpuseg(
    [
      'fit',
      't.csv',
      ...['--k', '2', '--id', 'id', '--backend', 'cpu', '--history', 'store/'],
      ...['--as-of', '2024-01-31', '--output', 'out.csv'],
    ],
    {},
    dir,
  );
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^history: store\/2024-01-31 \(first period\)$/m);
});

test('every command shows a text default as the flag takes it, not quoted as JSON', () => {
  const commands = ['segment', 'rfm', 'select', 'fit', 'cut', 'split', 'predict', 'profile'];
  commands.push('report', 'generate', 'bench', 'devices', 'transitions', 'worker');
  for (const command of commands) {
    const help = gpuseg([command, '--help']);
    expect(help.status, command).toBe(0);
    expect(help.stdout, command).not.toMatch(/default: "/);
  }
  expect(helpEntry(gpuseg(['bench', '--help']).stdout, '--rows')).toMatch(/\(default: 1M\)$/);
  expect(helpEntry(gpuseg(['generate', '--help']).stdout, '--seed')).toMatch(/\(default: 0\)$/);
});

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Table } from 'apache-arrow';
import { EnvironmentError } from '../errors.js';

/**
 * apache-arrow is a peer dependency (issue 15): gpuseg uses the host's copy, so that a Table the
 * host made is one gpuseg's code knows. These are the majors it is tested with (package.json's
 * peerDependencies says the same; test/embed-package.test.ts runs each); a Table from any other
 * copy, or an installed apache-arrow outside them, gets an error naming them instead of a
 * TypeError from deep inside (copying a column of another copy into gpuseg's output table).
 */
export const ARROW_MAJORS = [20, 21] as const;
export const ARROW_PEER_RANGE = ARROW_MAJORS.map((m) => `^${m}.0.0`).join(' || ');

let resolved: { version: string; major: number } | undefined;

/** The version of the apache-arrow gpuseg resolves (its package.json, found above its entry). */
export function arrowVersion(): { version: string; major: number } {
  if (resolved) return resolved;
  // apache-arrow's exports map hides package.json: walk up from its entry point instead.
  let dir = dirname(createRequire(import.meta.url).resolve('apache-arrow'));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'apache-arrow' && pkg.version) {
        resolved = { version: pkg.version, major: Number(pkg.version.split('.')[0]) };
        return resolved;
      }
    } catch {
      // no package.json here: go up
    }
    const parent = dirname(dir);
    if (parent === dir) return (resolved = { version: 'unknown', major: NaN });
    dir = parent;
  }
}

/** Throws an EnvironmentError unless `table` is a Table of gpuseg's apache-arrow, in a tested major. */
export function checkArrowTable(table: object, option = 'input'): void {
  const { version, major } = arrowVersion();
  const supported = `gpuseg supports apache-arrow ${ARROW_PEER_RANGE} (a peer dependency)`;
  if (!(ARROW_MAJORS as readonly number[]).includes(major))
    throw new EnvironmentError(
      `${option}: gpuseg resolved apache-arrow ${version}; ${supported}: install one of those in your project`,
    );
  if (!(table instanceof Table))
    throw new EnvironmentError(
      `${option}: the Table comes from another copy of apache-arrow than gpuseg's (${version}); ${supported}: install one version in that range, once, at your project's top level`,
    );
}

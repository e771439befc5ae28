// Loaded with `node --import`: records every module the program resolves (through a resolve hook
// on Node's loader thread) and, at exit, the shared libraries mapped into the process, into the
// file named by GPUSEG_TRACE_FILE (one entry a line: 'module <url>' or 'lib <path>').
import { appendFileSync, readFileSync } from 'node:fs';
import { register } from 'node:module';

const file = process.env.GPUSEG_TRACE_FILE;
if (!file) throw new Error('GPUSEG_TRACE_FILE is not set');
const hooks = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(file)}, 'module ' + r.url + '\\n');
  return r;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
process.on('exit', () => {
  const libs = new Set();
  for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
    const path = line.split(/\s+/)[5];
    if (path && /\.(so|node)(\.|$)/.test(path)) libs.add(path);
  }
  appendFileSync(file, [...libs].map((l) => `lib ${l}\n`).join(''));
});

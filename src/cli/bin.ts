#!/usr/bin/env node
import { relaunch, shouldRelaunch } from './relaunch.js';

/** `gpuseg --version` answers before any command module (or commander) is loaded (issue 15). */
async function version(): Promise<number> {
  // The version module alone (a leaf): importing the whole API would cost ~0.3 s here.
  const { GPUSEG_VERSION } = await import('../version.js');
  process.stdout.write(`${GPUSEG_VERSION}\n`);
  return 0;
}

const args = process.argv.slice(2);
// Under `ulimit -v`, run again with WebAssembly memories reserved as needed (see relaunch.ts);
// main is imported only after that choice, so that nothing is loaded twice.
process.exitCode =
  args.length === 1 && (args[0] === '--version' || args[0] === '-V')
    ? await version()
    : shouldRelaunch()
      ? await relaunch()
      : await (await import('./main.js')).main(process.argv);

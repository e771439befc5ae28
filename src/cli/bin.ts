#!/usr/bin/env node
import { relaunch, shouldRelaunch } from './relaunch.js';

// Under `ulimit -v`, run again with WebAssembly memories reserved as needed (see relaunch.ts);
// main is imported only after that choice, so that nothing is loaded twice.
process.exitCode = shouldRelaunch()
  ? await relaunch()
  : await (await import('./main.js')).main(process.argv);

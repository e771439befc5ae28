import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

/**
 * Under a virtual-memory limit (`ulimit -v`, RLIMIT_AS), V8's default WebAssembly memories cannot
 * be had: each reserves 10 GiB of address space up front (guard regions for trap-based bounds
 * checks), so a limit of a few GiB fails the first WebAssembly kernel however little memory the
 * run needs. With `--disable-wasm-trap-handler` a memory reserves only what it may grow to and
 * the code checks bounds explicitly (the same results, bit for bit). The CLI therefore runs
 * itself again with that flag when such a limit is set; this module imports nothing of gpuseg,
 * so that the relaunch happens before any WebAssembly or native module is loaded.
 */
const FLAG = '--disable-wasm-trap-handler';

/** Whether the CLI should run again with FLAG: a finite address-space limit, FLAG known and not yet given. */
export function shouldRelaunch(): boolean {
  if (process.env.GPUSEG_NO_RELAUNCH === '1') return false;
  if (process.execArgv.includes(FLAG) || !process.allowedNodeEnvironmentFlags.has(FLAG))
    return false;
  return addressSpaceLimit() !== undefined;
}

/** The soft RLIMIT_AS in bytes; undefined when unlimited or unknown. */
function addressSpaceLimit(): number | undefined {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const soft = /^Max address space\s+(\S+)/m.exec(limits)?.[1];
    const bytes = Number(soft);
    return soft === undefined || soft === 'unlimited' || !Number.isFinite(bytes)
      ? undefined
      : bytes;
  } catch {
    return undefined;
  }
}

/**
 * Runs this CLI again under FLAG, with the same arguments, streams and environment; signals sent
 * to this process are passed on. Resolves to the status to exit with.
 */
export function relaunch(): Promise<number> {
  const child = spawn(process.execPath, [FLAG, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, forward);
  return new Promise((resolve) => {
    child.on('error', (error) => {
      process.stderr.write(
        `gpuseg: error: could not start node again with ${FLAG}: ${error.message}\n`,
      );
      resolve(5);
    });
    child.on('exit', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      if (code !== null) return resolve(code);
      if (signal === 'SIGTRAP' || signal === 'SIGABRT' || signal === 'SIGKILL') {
        // V8 stops the process this way when it cannot reserve memory ("Fatal process OOM").
        process.stderr.write(
          `gpuseg: error: out of memory: node stopped (${signal}) under the virtual memory limit (ulimit -v) of ${(addressSpaceLimit()! / 2 ** 30).toFixed(1)} GiB; raise the limit or use a smaller input\n`,
        );
        return resolve(5);
      }
      resolve(128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}

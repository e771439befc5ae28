/**
 * The processes of bench/shard-overhead.ts: a private redis-server on a loopback port, the
 * `gpuseg worker` processes, and timed `gpuseg fit` runs. Nothing here listens on, or connects
 * to, any address but 127.0.0.1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI, beside this file once compiled (dist/bench → dist/src/cli/bin.js). */
export const BIN = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));

export const LOOPBACK = '127.0.0.1';

/** A port free on loopback now (the OS's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * The arguments of the harness's redis-server: loopback only, no persistence, and BullMQ's
 * required noeviction, as in deploy/kubernetes/redis.yaml.
 */
export function redisServerArgs(port: number): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    LOOPBACK,
    '--save',
    '',
    '--appendonly',
    'no',
    '--maxmemory-policy',
    'noeviction',
  ];
}

export interface RedisServer {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** Starts redis-server (Debian's package) and waits until it answers PING. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const child = spawn('redis-server', redisServerArgs(port), { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (e) =>
      reject(
        new Error(`redis-server could not start (${e.message}): apt-get install redis-server`),
      ),
    );
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code} at start`)));
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await Promise.race([pingRoundTrips(port, 1), failed]);
      break;
    } catch (error) {
      if (Date.now() > deadline || !(error instanceof Error) || /redis-server/.test(error.message))
        throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  failed.catch(() => undefined);
  return {
    port,
    url: `redis://${LOOPBACK}:${port}`,
    stop: () => stopChild(child, 5_000),
  };
}

/**
 * Round trips of Redis's PING over one loopback connection, in milliseconds each: the floor of
 * any exchange with Redis, BullMQ's included (plain RESP, so no client library is timed).
 */
export function pingRoundTrips(port: number, count: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const times: number[] = [];
    let sent = 0;
    let received = '';
    const ping = () => {
      sent = performance.now();
      socket.write('*1\r\n$4\r\nPING\r\n');
    };
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (!received.endsWith('\r\n')) return;
      if (received !== '+PONG\r\n') {
        socket.destroy();
        reject(new Error(`redis answered ${JSON.stringify(received)} to PING`));
        return;
      }
      received = '';
      times.push(performance.now() - sent);
      if (times.length < count) ping();
      else {
        socket.end();
        resolve(times);
      }
    });
    socket.connect(port, LOOPBACK, ping);
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
export function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** `gpuseg worker` for shard `index` of the glob, as the Indexed Job's pod `index` runs it. */
export function workerArgs(url: string, glob: string, index: number, extra: string[]): string[] {
  return ['worker', '--redis', url, '--shards', glob, '--index', String(index), ...extra];
}

/** The sharded fit, as the coordinator Job runs it (plus the harness's fixed iteration count). */
export function coordinatorArgs(
  url: string,
  glob: string,
  runId: string,
  fitArgs: string[],
  extra: string[],
): string[] {
  return [
    'fit',
    '--redis',
    url,
    '--shards',
    glob,
    '--run-id',
    runId,
    '--worker-timeout',
    '300',
    ...fitArgs,
    ...extra,
  ];
}

/**
 * Starts the workers one after the other, each logging to LOGDIR/worker-I.log, the next once the
 * previous has loaded its shard (or exited): 16 workers decoding their shards at once on 2 cores
 * ran past the readers' 6 s deadline. Loading is not what is measured.
 */
export async function startWorkers(args: string[][], logDir: string): Promise<ChildProcess[]> {
  const workers: ChildProcess[] = [];
  for (const [i, a] of args.entries()) {
    const path = join(logDir, `worker-${i}.log`);
    const log = openSync(path, 'w');
    try {
      workers.push(spawn(process.execPath, [BIN, ...a], { stdio: ['ignore', log, log] }));
    } finally {
      closeSync(log);
    }
    // The worker's notice 'shard … loaded'; 60 s at most, should its wording change.
    const w = workers[i];
    const until = Date.now() + 60_000;
    const loading = () =>
      w.exitCode === null && w.signalCode === null && !/loaded/.test(readFileSync(path, 'utf8'));
    while (loading() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  }
  return workers;
}

/**
 * Waits up to `graceMs` for the workers to leave by themselves (they exit once the run is
 * finished), then stops the rest; returns how many had left by themselves.
 */
export async function retireWorkers(workers: ChildProcess[], graceMs: number): Promise<number> {
  const exited = (w: ChildProcess) => w.exitCode !== null || w.signalCode !== null;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && !workers.every(exited)) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const left = workers.filter(exited).length;
  await Promise.all(workers.map((w) => stopChild(w, 5_000)));
  return left;
}

export interface CliRun {
  wallMs: number;
  /** The fit's --json summary. */
  summary: { iterations: number; inertia: number | null; seconds: number };
}

/** Runs the CLI to the end (workers, being other processes, go on meanwhile) and times it. */
export function runFit(args: string[], timeoutMs: number): CliRun {
  const started = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 << 20,
  });
  const wallMs = performance.now() - started;
  if (r.status !== 0) {
    throw new Error(
      `gpuseg ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`,
    );
  }
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return { wallMs, summary: JSON.parse(line) as CliRun['summary'] };
}

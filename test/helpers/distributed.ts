import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTable, writeTable } from '../../src/index.js';
import { writeCustomers } from '../../src/synth/customers.js';
import { BIN, ROOT } from './cli.js';

/**
 * The pieces of the sharded-fit tests: a private redis-server on a free loopback port (no disk:
 * --save '' --appendonly no), worker and coordinator processes of the built CLI whose stderr is
 * kept, and a synthetic dataset written whole (batches of R rows) and as shards of R rows.
 */

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
  });
}

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const server = spawn(
    '/usr/bin/redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 200 && !(await answersPing(port)); i++)
    await new Promise((r) => setTimeout(r, 50));
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (server.exitCode !== null) return resolve();
        server.once('exit', () => resolve());
        server.kill('SIGTERM');
      }),
  };
}

/** A test file's end: kills the processes it started that still run, then stops its Redis. */
export async function stopAll(
  procs: readonly Proc[],
  redis: RedisServer | undefined,
): Promise<void> {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await redis?.stop();
}

/** A CLI process whose stderr and stdout are collected. */
export interface Proc {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
}

export function cli(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? tmpdir(), ...env },
  });
  let err = '';
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { child, stderr: () => err, stdout: () => out, exited };
}

/** Resolves once `test` holds (polled), or rejects after `ms`. */
export async function until(test: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `shards` workers, one per shard of `pattern`. */
export function workers(
  url: string,
  pattern: string,
  indices: number[],
  extra: string[] = [],
  env: Record<string, string> = {},
): Proc[] {
  return indices.map((i) =>
    cli(
      [
        'worker',
        '--redis',
        url,
        '--shards',
        pattern,
        '--index',
        String(i),
        '--backend',
        'cpu',
        '--lock-duration',
        '1500',
        ...extra,
      ],
      env,
    ),
  );
}

/** Counts the passes of `kind` a worker logged. */
export function passesLogged(p: Proc, kind: string): number {
  return p.stderr().split(`: ${kind} pass of run`).length - 1;
}

/**
 * Writes `shards` × `rows` customers whole (PREFIX-all.arrows, batches of `rows`) and as
 * PREFIX-N.arrow (a prefix per test: a shard's queue and lease are named by its file name).
 */
export async function writeShards(
  dir: string,
  shards: number,
  rows: number,
  seed: number,
  prefix = 'part',
): Promise<{ whole: string; pattern: string }> {
  const whole = join(dir, `${prefix}-all.arrows`);
  await writeCustomers(whole, shards * rows, seed, rows);
  const table = await readTable(whole);
  for (let i = 0; i < shards; i++)
    writeTable(join(dir, `${prefix}-${i}.arrow`), table.slice(i * rows, (i + 1) * rows));
  return { whole, pattern: join(dir, `${prefix}-?.arrow`) };
}

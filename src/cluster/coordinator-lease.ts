import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { EnvironmentError, UsageError } from '../errors.js';
import { runKey, wantedKey } from './redis.js';

/**
 * Milliseconds a coordinator's lease on its run lives without renewal (renewed every quarter of
 * it). A coordinator restarted after a kill -9 waits at most this long for the dead one's lease.
 */
export const COORDINATOR_LEASE_MS = 10_000;

/** Takes the lease if free or renews it if ours: 1; held by another: 0. */
const TAKE_OR_RENEW = `
local v = redis.call('get', KEYS[1])
if v == false or v == ARGV[1] then
  redis.call('set', KEYS[1], ARGV[1], 'px', ARGV[2])
  return 1
end
return 0`;

/** Deletes the lease if its holder is ARGV[1]. */
const RELEASE = `
if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) end
return 0`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * One live coordinator per run: a key under the run id holding the coordinator's id, with a short
 * expiry that a timer renews while the process lives. A second coordinator started with the run
 * id finds it held: when the holder is a process of this host that no longer exists, it takes
 * its place at once; otherwise it waits, reading the key's time to live: a renewal (the time going
 * up) means a live coordinator, a UsageError at once; a lapse means a dead one (killed without
 * closing the run), whose place it takes and whose run it resumes. The lease also registers the run on each
 * of its shards (wantedKey), so that standby workers know a run still needs them.
 */
export class CoordinatorLease {
  private timer: NodeJS.Timeout | undefined;
  /** Who took the run over while this coordinator could not renew (a stalled process), if anyone. */
  private lostTo: string | undefined;

  private constructor(
    private readonly client: Redis,
    private readonly runId: string,
    private readonly me: string,
    private readonly shards: readonly string[],
    private readonly ttl: number,
  ) {}

  /** The run's lease, once free; `shards` are the shard tags the run registers on. */
  static async take(
    client: Redis,
    runId: string,
    shards: readonly string[],
    notice: (message: string) => void,
    ttl = COORDINATOR_LEASE_MS,
  ): Promise<CoordinatorLease> {
    const me = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    const key = runKey(runId, 'coordinator');
    const start = Date.now();
    let lastLeft = Infinity;
    let said = false;
    for (;;) {
      if ((await client.eval(TAKE_OR_RENEW, 1, key, me, ttl)) === 1) break;
      const [holder, left] = await Promise.all([client.get(key), client.pttl(key)]);
      if (holder !== null && deadOnThisHost(holder)) {
        await client.eval(RELEASE, 1, key, holder);
        notice(
          `sharded fit: run ${runId}: its previous coordinator (${holder}) is gone; taking the run over`,
        );
        continue;
      }
      // A live holder renews every ttl/4: its time to live goes up (or never runs out).
      if (holder !== null && (left > lastLeft + 50 || Date.now() - start > ttl + 1000))
        throw new UsageError(
          (opt) =>
            `${opt('runId')} ${runId}: another coordinator (${holder}) is driving this run; wait for it to end, or use a new ${opt('runId')}`,
        );
      if (holder !== null) lastLeft = left;
      // Said only once no renewal was seen for a renewal period: a live holder is refused first.
      if (!said && Date.now() - start > ttl / 4 + 500) {
        said = true;
        notice(
          `sharded fit: run ${runId}: the coordinator lease of ${holder ?? 'a coordinator'} is not being renewed (killed mid-run?); waiting up to ${Math.ceil((ttl + 1000 - (Date.now() - start)) / 1000)} s more for it to lapse, then resuming`,
        );
      }
      await sleep(200);
    }
    const lease = new CoordinatorLease(client, runId, me, shards, ttl);
    await lease.register();
    lease.timer = setInterval(() => void lease.renew(), ttl / 4);
    lease.timer.unref();
    return lease;
  }

  private async register(): Promise<void> {
    await Promise.all(
      this.shards.map(async (shard) => {
        await this.client.sadd(wantedKey(shard), this.runId);
        await this.client.expire(wantedKey(shard), 7 * 24 * 3600);
      }),
    );
  }

  private async renew(): Promise<void> {
    try {
      const key = runKey(this.runId, 'coordinator');
      if ((await this.client.eval(TAKE_OR_RENEW, 1, key, this.me, this.ttl)) !== 1)
        this.lostTo = (await this.client.get(key)) ?? 'another coordinator';
    } catch {
      // Redis briefly away: the next tick tries again (the lease outlives three misses).
    }
  }

  /** An EnvironmentError if another coordinator took the run over while this one stalled. */
  check(): void {
    if (this.lostTo !== undefined)
      throw new EnvironmentError(
        (opt) =>
          `${opt('runId')} ${this.runId}: another coordinator (${this.lostTo}) took the run over while this one could not renew its lease (stalled ${this.ttl / 1000} s or more)`,
      );
  }

  /** The run is over: off its shards' wanted sets, and the lease deleted (if still ours). */
  async release(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.shards.map((shard) => this.client.srem(wantedKey(shard), this.runId)));
    await this.client.eval(RELEASE, 1, runKey(this.runId, 'coordinator'), this.me);
  }
}

/** Whether a lease holder's id (host:pid:nonce) names a process of this host that no longer exists. */
function deadOnThisHost(holder: string): boolean {
  const [host, pid] = holder.split(':');
  if (host !== hostname() || !/^\d+$/.test(pid ?? '')) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Whether a run with a live coordinator wants `shard` served (runs whose coordinator is gone are dropped). */
export async function shardWanted(client: Redis, shard: string): Promise<boolean> {
  const runs = await client.smembers(wantedKey(shard));
  let wanted = false;
  for (const run of runs) {
    if ((await client.exists(runKey(run, 'coordinator'))) === 1) wanted = true;
    else await client.srem(wantedKey(shard), run);
  }
  return wanted;
}

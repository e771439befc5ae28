import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { UsageError } from '../errors.js';
import type { PassAnswer, PassRequest } from './payload.js';
import { runKey } from './redis.js';

/** How long a run's checkpoints stay in Redis after their last write. */
const KEEP_SECONDS = 7 * 24 * 3600;

/**
 * The run's checkpoint: every pass in order, with a digest of what was sent (the centres or
 * mixture parameters, whose first shard's request is kept in full) and the shards' answers (the
 * statistics), under the run id in Redis. The fit is deterministic given the answers, so a
 * coordinator restarted with the same run id replays the fit from the start, taking each logged
 * pass's answers instead of sending it again: it reaches the last checkpoint with the same
 * centres, RNG state and history, bit for bit, and sends only the passes after it. A request
 * that differs from the logged one means other options or data: an error, not a silent mix.
 */
export class PassLog {
  private next = 0;
  /** Passes answered from the log. */
  replayed = 0;

  constructor(
    private readonly client: Redis,
    private readonly runId: string,
  ) {}

  async run(
    requests: PassRequest[],
    send: (n: number, requests: PassRequest[]) => Promise<PassAnswer[]>,
  ): Promise<PassAnswer[]> {
    const n = this.next++;
    const key = runKey(this.runId, `pass:${n}`);
    const digest = createHash('sha256').update(JSON.stringify(requests)).digest('base64');
    const stored = await this.client.get(key);
    if (stored !== null) {
      const entry = JSON.parse(stored) as { digest: string; answers: PassAnswer[] };
      if (entry.digest !== digest)
        throw new UsageError(
          (opt) =>
            `${opt('runId')} ${this.runId}: pass ${n} (${requests[0].kind}) differs from the one this run logged; the run was started with other options or shards — use a new ${opt('runId')}`,
        );
      this.replayed++;
      return entry.answers;
    }
    const answers = await send(n, requests);
    await this.client.set(
      key,
      JSON.stringify({ digest, kind: requests[0].kind, request: requests[0], answers }),
      'EX',
      KEEP_SECONDS,
    );
    return answers;
  }
}

/**
 * The floor of one sharded pass in BullMQ, without gpuseg: a flow whose parent waits for one child
 * job per shard, each child answered at once with a K×(D+1)+1 float64 payload (the size of a
 * shard's Lloyd statistics), the parent summing its children's values. Its round trip is what
 * Redis and BullMQ cost per pass at that many shards, whatever the passes compute. The answering
 * workers live in this process (one BullMQ Worker, concurrency = shards), so it leaves out the
 * processes' scheduling, which the end-to-end measurement includes.
 */
import { FlowProducer, QueueEvents, Worker, type ConnectionOptions } from 'bullmq';
import { LOOPBACK } from './shard-processes.js';

export async function flowRoundTrips(
  port: number,
  shards: number,
  payloadFloats: number,
  count: number,
): Promise<number[]> {
  const connection: ConnectionOptions = { host: LOOPBACK, port, maxRetriesPerRequest: null };
  const prefix = `rtt-${shards}-${payloadFloats}-${process.pid}`;
  const statistics = new Float64Array(payloadFloats).fill(1.5);
  const pass = new Worker(prefix + '-pass', async () => Array.from(statistics), {
    connection,
    concurrency: shards,
  });
  const merge = new Worker(
    prefix + '-merge',
    async (job) => {
      const values = Object.values(await job.getChildrenValues<number[]>());
      return values.reduce((sum, v) => sum + v.length, 0);
    },
    { connection },
  );
  const events = new QueueEvents(prefix + '-merge', { connection });
  const flows = new FlowProducer({ connection });
  try {
    await Promise.all([pass.waitUntilReady(), merge.waitUntilReady(), events.waitUntilReady()]);
    const times: number[] = [];
    for (let i = -3; i < count; i++) {
      const started = performance.now();
      const node = await flows.add({
        name: 'merge',
        queueName: prefix + '-merge',
        data: { iteration: i },
        opts: { removeOnComplete: true },
        children: Array.from({ length: shards }, (_, s) => ({
          name: 'pass',
          queueName: prefix + '-pass',
          data: { shard: s },
          opts: { removeOnComplete: true },
        })),
      });
      const total = (await node.job.waitUntilFinished(events, 30_000)) as number;
      if (total !== shards * payloadFloats) {
        throw new Error(`the flow merged ${total} numbers, not ${shards * payloadFloats}`);
      }
      // The first three warm the connections and scripts up.
      if (i >= 0) times.push(performance.now() - started);
    }
    return times;
  } finally {
    await Promise.all([pass.close(), merge.close(), events.close(), flows.close()]);
  }
}

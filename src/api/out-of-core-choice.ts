import { statSync } from 'node:fs';
import { totalmem } from 'node:os';
import type { Message } from '../errors.js';
import { sniffInputFormat } from '../io/format.js';
import { checkFunctionArgument, checkStringArgument } from '../util/arguments.js';
import { Notice, type NoticeListener } from './notices.js';

/** Above this share of the machine's memory, an input file is fitted out of core unless asked otherwise. */
const OUT_OF_CORE_FILE_SHARE = 0.4;

/**
 * Whether a fit (`fitOutOfCore` rather than `fit`) or a scoring (`predictOutOfCore` rather than
 * `predict`) of a file should read it chunk by chunk: when asked (--out-of-core),
 * or when the file is so large that the in-memory path (file bytes, the float32 matrix, per-row
 * outputs) would not fit — then only where the out-of-core path applies (fit: k-means, gmm or birch; Arrow or
 * Parquet input; an output it can append to); otherwise the in-memory path runs and says why.
 * `algorithm` is undefined for predict (any model). Why, and why not when it would be needed, is
 * said through `notice` (its text names API options; the Notice, `messageFor('flag')`, CLI flags).
 */
export function chooseOutOfCore(
  input: string,
  asked: boolean,
  algorithm: string | undefined,
  output: string | undefined,
  notice: NoticeListener,
): boolean {
  checkStringArgument(input, 'input');
  checkFunctionArgument(notice, 'notice');
  if (asked) return true;
  const say = (message: Message): void => {
    const n = new Notice(message);
    notice(n.message, n);
  };
  let size: number;
  try {
    size = statSync(input).size;
  } catch {
    return false; // the reader reports the missing file
  }
  if (size <= OUT_OF_CORE_FILE_SHARE * totalmem()) return false;
  const gb = (size / 2 ** 30).toFixed(1);
  const blockers = [
    ...(['minibatch-kmeans', 'kprototypes', 'bisecting', 'ward', 'dbscan'].includes(algorithm ?? '')
      ? [(opt: (o: string) => string) => `${opt('algorithm')} ${algorithm}`]
      : []),
    ...(sniffInputFormat(input) === 'csv' ? [() => 'CSV input'] : []),
    ...(output !== undefined && /\.(parquet|pq)$/i.test(output) ? [() => 'Parquet output'] : []),
  ];
  if (blockers.length > 0) {
    say(
      (opt) =>
        `the input (${gb} GiB) is over ${OUT_OF_CORE_FILE_SHARE * 100}% of memory, but ${blockers.map((b) => b(opt)).join(' and ')} keep the work in memory`,
    );
    return false;
  }
  say(
    `the input (${gb} GiB) is over ${OUT_OF_CORE_FILE_SHARE * 100}% of memory: working out of core (chunk by chunk)`,
  );
  return true;
}

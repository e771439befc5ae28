import { type GmmIterationStat, type IterationStat, type Notice } from '../index.js';

/**
 * What the CLI writes besides its results: notices (always, one line each, on stderr) and
 * progress (on stderr, only when stderr is a terminal, so logs and pipes stay clean).
 */
export function printNotice(message: string, notice?: Notice): void {
  process.stderr.write(`gpuseg: ${notice ? notice.messageFor('flag') : message}\n`);
}

export function progressReporter(enabled: boolean): {
  onIteration: (s: IterationStat) => void;
  onEmIteration: (s: GmmIterationStat) => void;
  done: () => void;
} {
  const tty = enabled && process.stderr.isTTY === true;
  let shown = false;
  return {
    onIteration(s) {
      if (!tty) return;
      shown = true;
      process.stderr.write(
        `\r\x1b[Krun ${s.run + 1}  iteration ${s.iteration}  inertia ${s.inertia.toPrecision(7)}${s.changed >= 0 ? `  changed ${s.changed}` : ''}`,
      );
    },
    onEmIteration(s) {
      if (!tty) return;
      shown = true;
      process.stderr.write(
        `\r\x1b[Krun ${s.run + 1}  iteration ${s.iteration}  log-likelihood ${s.lowerBound.toPrecision(7)}  change ${s.change.toExponential(2)}`,
      );
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}

/** Stdout, for results (JSON or the human summary). */
export function printResult(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

/**
 * Progress on stderr: a bar redrawn in place on a terminal, plain lines (every 5 %) otherwise.
 */
import type { BenchProgress } from './types.js';

export interface ProgressReporter {
  update(progress: BenchProgress): void;
  /** Ends the bar's line (a terminal) so that what follows starts on a fresh one. */
  finish(): void;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export function progressReporter(stream: NodeJS.WritableStream, isTTY: boolean, now: () => number = Date.now): ProgressReporter {
  const start = now();
  let lastStep = -1;
  let drawn = false;
  return {
    update({ done, total, label }) {
      const elapsed = now() - start;
      const eta = done > 0 ? (elapsed / done) * (total - done) : 0;
      if (isTTY) {
        const width = 24;
        const filled = Math.round((done / total) * width);
        const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
        const columns = (stream as NodeJS.WriteStream).columns ?? 100;
        const line = `${bar} ${done}/${total} ${duration(elapsed)} eta ${duration(eta)}  ${label}`;
        stream.write(`\r${line.slice(0, Math.max(20, columns - 1)).padEnd(Math.max(20, columns - 1))}`);
        drawn = true;
        return;
      }
      const step = Math.floor((done / total) * 20);
      if (step !== lastStep || done === total) {
        lastStep = step;
        stream.write(`bench: ${done}/${total} (${Math.round((100 * done) / total)} %), ${duration(elapsed)} elapsed, eta ${duration(eta)}: ${label}\n`);
      }
    },
    finish() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}

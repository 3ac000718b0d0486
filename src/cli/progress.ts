/**
 * Progress output for long jobs: a redrawn bar on a TTY, plain lines (at most one per 10 %) otherwise.
 */
import type { Progress } from '../api/types.js';

/** Reports on `stream` as `<phase> <done>/<total> [detail]` (e.g. `encode 3/8`, `fit 40/100 step 120, 0.41 bpp, 31.2 dB`). */
export function progressReporter(stream: NodeJS.WritableStream & { isTTY?: boolean }): {
  update(p: Progress): void;
  done(): void;
} {
  const tty = stream.isTTY === true;
  let lastDecile = -1;
  let drawn = false;
  return {
    update(p) {
      const fraction = p.total ? Math.min(1, p.done / p.total) : undefined;
      if (tty) {
        const width = 30;
        const bar = fraction === undefined ? '' : `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] `;
        const count = p.total ? `${p.done}/${p.total}` : `${p.done}`;
        stream.write(`\r${p.phase} ${bar}${count}${p.detail ? ` ${p.detail}` : ''}\x1b[K`);
        drawn = true;
        return;
      }
      const decile = fraction === undefined ? p.done : Math.floor(fraction * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        stream.write(`${p.phase} ${p.total ? `${p.done}/${p.total}` : p.done}${p.detail ? ` ${p.detail}` : ''}\n`);
      }
    },
    done() {
      if (tty && drawn) stream.write('\r\x1b[K');
    },
  };
}

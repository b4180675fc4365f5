/**
 * A progress bar for stderr. On a terminal it redraws one line in place; otherwise (a log
 * file, CI) it writes a line at every tenth of the way, so logs stay short.
 */
export class ProgressBar {
  private readonly start = performance.now();
  private lastDecile = -1;
  private drawn = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly total: number,
    private readonly interactive: boolean,
    private readonly label = 'sweep',
    private readonly width = 30,
  ) {}

  update(done: number): void {
    if (this.total === 0) return;
    const elapsed = (performance.now() - this.start) / 1000;
    const frac = Math.min(1, done / this.total);
    const eta = done > 0 && done < this.total ? `, ~${((elapsed / done) * (this.total - done)).toFixed(1)} s left` : '';
    const text = `${this.label}: ${done}/${this.total} points (${Math.round(frac * 100)}%), ${elapsed.toFixed(1)} s${eta}`;
    if (this.interactive) {
      const filled = Math.round(frac * this.width);
      this.write(`\r[${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}] ${text}\x1b[K`);
      this.drawn = true;
      if (done >= this.total) this.finish();
      return;
    }
    const decile = Math.floor(frac * 10);
    if (decile !== this.lastDecile || done >= this.total) {
      this.lastDecile = decile;
      this.write(`${text}\n`);
    }
  }

  /** Ends the in-place line (call on success and on failure). */
  finish(): void {
    if (this.interactive && this.drawn) {
      this.write('\n');
      this.drawn = false;
    }
  }
}

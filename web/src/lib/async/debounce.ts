/** Run the last of a burst of calls once the calls pause for `ms` (sliders, URL writes, search). Tested in debounce.test.ts. */

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const globalTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class Debounce {
  private handle: unknown = undefined;
  private waiting = false;

  constructor(private readonly ms: number, private readonly timers: Timers = globalTimers) {}

  /** Run `fn` after `ms` of quiet; replaces a call still waiting. */
  schedule(fn: () => void): void {
    this.cancel();
    this.waiting = true;
    this.handle = this.timers.setTimeout(() => {
      this.waiting = false;
      fn();
    }, this.ms);
  }

  /** Drop the call still waiting, if any. */
  cancel(): void {
    if (this.waiting) this.timers.clearTimeout(this.handle);
    this.waiting = false;
  }

  get pending(): boolean {
    return this.waiting;
  }
}

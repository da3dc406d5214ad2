/**
 * Test helper for the stores' tests: animation frames that run only when the test says so.
 * `install()` in beforeEach, `uninstall` is vi.unstubAllGlobals in afterEach.
 */
import { flushSync } from "svelte";
import { vi } from "vitest";

export class FakeFrames {
  private frames: (() => void)[] = [];

  install(): void {
    this.frames = [];
    vi.stubGlobal("requestAnimationFrame", (fn: FrameRequestCallback) => { this.frames.push(() => fn(0)); return this.frames.length; });
  }

  /** Run the frames requested so far, let `ticks` rounds of timers and promises settle, then flush Svelte. */
  async next(ticks = 1): Promise<void> {
    this.frames.splice(0).forEach((f) => f());
    for (let i = 0; i < ticks; i++) await new Promise((r) => setTimeout(r, 1));
    flushSync();
  }
}

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Debounce } from "./debounce";

describe("Debounce", () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it("runs only the last call of a burst, once the calls pause", () => {
    const d = new Debounce(100);
    const ran: number[] = [];
    d.schedule(() => ran.push(1));
    vi.advanceTimersByTime(60);
    d.schedule(() => ran.push(2));
    vi.advanceTimersByTime(60);
    expect(ran).toEqual([]);
    expect(d.pending).toBe(true);
    vi.advanceTimersByTime(40);
    expect(ran).toEqual([2]);
    expect(d.pending).toBe(false);
  });

  it("cancel drops the waiting call", () => {
    const d = new Debounce(50);
    const fn = vi.fn();
    d.schedule(fn);
    d.cancel();
    vi.advanceTimersByTime(100);
    expect(fn).not.toHaveBeenCalled();
    expect(d.pending).toBe(false);
  });
});

import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";
import { errorCode, errorMessage, IDLE, isFor, Resource, ResourceCache, type Loadable } from "./resource";

/** A promise settled by the test, to control which answer arrives first. */
function deferred<T>() {
  let resolve!: (v: T) => void, reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

function setup<T>() {
  const states: Loadable<T>[] = [];
  const log = { warn: vi.fn(), debug: vi.fn() };
  const res = new Resource<T>("class graph", (s) => states.push(s), log);
  return { res, states, log };
}

describe("Resource", () => {
  it("publishes loading, then the value, and resolves to the state it published", async () => {
    const { res, states } = setup<number>();
    const out = await res.load("a", async () => 1);
    expect(states).toEqual([{ status: "loading", key: "a" }, { status: "ready", key: "a", value: 1 }]);
    expect(out).toEqual({ status: "ready", key: "a", value: 1 });
    expect(res.key).toBe("a");
  });

  it("drops the answer of a load that a newer one superseded, even when it arrives last", async () => {
    const { res, states } = setup<string>();
    const slow = deferred<string>(), fast = deferred<string>();
    const first = res.load("A", () => slow.promise);
    const second = res.load("B", () => fast.promise);
    fast.resolve("graph B");
    slow.resolve("graph A");
    expect(await second).toEqual({ status: "ready", key: "B", value: "graph B" });
    expect(await first).toBeNull();
    expect(states.filter((s) => s.status === "ready")).toEqual([{ status: "ready", key: "B", value: "graph B" }]);
    expect(states.at(-1)).toEqual({ status: "ready", key: "B", value: "graph B" });
  });

  it("drops a superseded load's error too, logging it at debug level only", async () => {
    const { res, states, log } = setup<string>();
    const slow = deferred<string>();
    const first = res.load("A", () => slow.promise);
    await res.load("B", async () => "graph B");
    slow.reject(new Error("server went away"));
    expect(await first).toBeNull();
    expect(states.some((s) => s.status === "error")).toBe(false);
    expect(log.warn).not.toHaveBeenCalled();
    expect(log.debug).toHaveBeenCalledWith(expect.stringContaining("class graph (A) failed after it was superseded: server went away"));
  });

  it("publishes a failure with the server's message and code, and logs it with the resource's name and key", async () => {
    const { res, states, log } = setup<string>();
    const out = await res.load("zzz", async () => { throw new ApiError("no class 'zzz'", "NOT_FOUND"); });
    expect(out).toEqual({ status: "error", key: "zzz", error: "no class 'zzz'", code: "NOT_FOUND" });
    expect(states.at(-1)).toEqual(out);
    expect(log.warn).toHaveBeenCalledWith("summit: cannot load class graph (zzz): no class 'zzz'");
  });

  it("a synchronous throw in the fetch is a failure, not an exception", async () => {
    const { res } = setup<string>();
    const out = await res.load("x", () => { throw new TypeError("bad input"); });
    expect(out).toMatchObject({ status: "error", error: "bad input", code: null });
  });

  it("aborts the superseded load's signal, so a waiting fetch need not send its request", async () => {
    const { res, log } = setup<string>();
    const gate = deferred<void>();
    const sent: string[] = [];
    const first = res.load("A", async ({ signal }) => {
      await gate.promise;
      signal.throwIfAborted();
      sent.push("A");
      return "A";
    });
    res.clear();
    gate.resolve();
    expect(await first).toBeNull();
    expect(sent).toEqual([]);
    expect(log.debug).not.toHaveBeenCalled(); // an abort is not a failure worth logging
  });

  it("clear() goes idle and drops answers still in flight", async () => {
    const { res, states } = setup<number>();
    const d = deferred<number>();
    const p = res.load("a", () => d.promise);
    res.clear();
    d.resolve(5);
    expect(await p).toBeNull();
    expect(states).toEqual([{ status: "loading", key: "a" }, IDLE]);
    expect(res.key).toBeNull();
  });

  it("set() publishes a value obtained elsewhere and supersedes a load in flight", async () => {
    const { res, states } = setup<number>();
    const d = deferred<number>();
    const p = res.load("a", () => d.promise);
    res.set("b", 7);
    d.resolve(1);
    expect(await p).toBeNull();
    expect(states.at(-1)).toEqual({ status: "ready", key: "b", value: 7 });
    expect(res.key).toBe("b");
  });

  it("partial values are published while the load is current, and ignored once superseded", async () => {
    const { res, states } = setup<number[]>();
    const gate = deferred<void>();
    let late!: (v: number[]) => void;
    const first = res.load("m1", async ({ partial }) => {
      partial([1]);
      late = partial;
      await gate.promise;
      return [1, 2];
    });
    const second = res.load("m2", async () => [9]);
    late([1, 2]);
    gate.resolve();
    await Promise.all([first, second]);
    expect(states).toEqual([
      { status: "loading", key: "m1" },
      { status: "loading", key: "m1", partial: [1] },
      { status: "loading", key: "m2" },
      { status: "ready", key: "m2", value: [9] },
    ]);
  });
});

describe("ResourceCache", () => {
  function cache() {
    const log = { warn: vi.fn(), debug: vi.fn() };
    let last: ReadonlyMap<string, Loadable<string[]>> = new Map();
    const c = new ResourceCache<string[]>("example patches", (m) => (last = m), log);
    return { c, log, last: () => last };
  }

  it("loads each id once, even when asked again while it loads", async () => {
    const { c, last } = cache();
    const d = deferred<string[]>();
    const fetch = vi.fn(() => d.promise);
    c.ensure("mixed4a:1", fetch);
    c.ensure("mixed4a:1", fetch);
    expect(last().get("mixed4a:1")).toEqual({ status: "loading", key: "mixed4a:1" });
    d.resolve(["a.jpg"]);
    await d.promise;
    await Promise.resolve();
    c.ensure("mixed4a:1", fetch);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(c.get("mixed4a:1")).toEqual({ status: "ready", key: "mixed4a:1", value: ["a.jpg"] });
    expect(last().get("mixed4a:1")).toEqual(c.get("mixed4a:1"));
  });

  it("shows and logs a failure, and tries a failed id again", async () => {
    const { c, log } = cache();
    c.ensure("n", async () => { throw new Error("timeout"); });
    await vi.waitFor(() => expect(c.get("n").status).toBe("error"));
    expect(c.get("n")).toMatchObject({ error: "timeout" });
    expect(log.warn).toHaveBeenCalledWith("summit: cannot load example patches (n): timeout");
    c.ensure("n", async () => ["ok.jpg"]);
    await vi.waitFor(() => expect(c.get("n")).toEqual({ status: "ready", key: "n", value: ["ok.jpg"] }));
  });

  it("reset() forgets everything and drops answers still in flight (another model)", async () => {
    const { c, last } = cache();
    const d = deferred<string[]>();
    c.ensure("n", () => d.promise);
    c.reset();
    d.resolve(["old model.jpg"]);
    await d.promise;
    await Promise.resolve();
    expect(c.get("n")).toEqual(IDLE);
    expect(last().size).toBe(0);
  });
});

describe("error helpers", () => {
  it("read message and code from whatever was thrown", () => {
    expect(errorMessage(new ApiError("boom", "BAD_INPUT"))).toBe("boom");
    expect(errorMessage("plain")).toBe("plain");
    expect(errorMessage({ message: "object" })).toBe("object");
    expect(errorCode(new ApiError("boom", "BAD_INPUT"))).toBe("BAD_INPUT");
    expect(errorCode(new Error("x"))).toBeNull();
  });
  it("isFor tells whether a state belongs to a key", () => {
    expect(isFor({ status: "loading", key: "a" }, "a")).toBe(true);
    expect(isFor({ status: "ready", key: "a", value: 1 }, "b")).toBe(false);
    expect(isFor(IDLE, "a")).toBe(false);
  });
});

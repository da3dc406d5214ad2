/**
 * Loading data whose inputs change while requests are in flight, keeping only
 * the latest answer. Every fetch in the app goes through `Resource` (one value
 * per input key, e.g. the graph of the selected class) or `ResourceCache`
 * (one value per id, e.g. a neuron's example patches):
 *
 * - `load(key, fetch)` supersedes every earlier load: their answers, values and
 *   errors alike, are dropped, and their AbortSignal is aborted (a fetch that
 *   waits before sending can check it and not send at all).
 * - The state is published through a callback as a `Loadable` (idle, loading,
 *   ready, error), so a Svelte module keeps it in `$state` and the UI shows the
 *   error; failures are also logged with the resource's name and key.
 *
 * Pure TypeScript (no Svelte, no DOM): tested in resource.test.ts.
 */

export type Loadable<T> =
  | { status: "idle" }
  | { status: "loading"; key: string; partial?: T }
  | { status: "ready"; key: string; value: T }
  | { status: "error"; key: string; error: string; code: string | null };

export type Ready<T> = Extract<Loadable<T>, { status: "ready" }>;
export type Failed = Extract<Loadable<unknown>, { status: "error" }>;

export const IDLE: Loadable<never> = { status: "idle" };

/** What a fetch is given: the signal aborted when a newer load supersedes it, and a way to show partial results. */
export interface Job<T> {
  signal: AbortSignal;
  /** Publish a partial value (as `loading` with `partial`) while the load goes on; ignored once superseded. */
  partial(value: T): void;
}

export type Fetch<T> = (job: Job<T>) => Promise<T>;

export type Logger = Pick<Console, "warn" | "debug">;

/** An error's message, whatever was thrown. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === "object" && e !== null && typeof (e as { message?: unknown }).message === "string") return (e as { message: string }).message;
  return String(e);
}

/** The server's error code (ApiError.code, e.g. NOT_FOUND), if any. */
export function errorCode(e: unknown): string | null {
  const code = typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : null;
}

export function valueOf<T>(s: Loadable<T>): T | null {
  return s.status === "ready" ? s.value : null;
}

export function errorOf(s: Loadable<unknown>): string | null {
  return s.status === "error" ? s.error : null;
}

/** True while `s` is loading or holds the answer (value or error) for `key`. */
export function isFor(s: Loadable<unknown>, key: string): boolean {
  return s.status !== "idle" && s.key === key;
}

/**
 * Runs `fetch` and calls `settle` with its outcome unless `signal` was aborted
 * by then (a stale answer: a dropped value, or a dropped error logged at debug
 * level). The one place that decides what "stale" means.
 */
export async function settleUnlessAborted<T>(
  signal: AbortSignal, run: () => Promise<T>, settle: (outcome: { ok: true; value: T } | { ok: false; error: unknown }) => void,
  describe: () => string, log: Logger,
): Promise<boolean> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await run() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (signal.aborted) {
    if (!outcome.ok && !isAbort(outcome.error)) log.debug(`summit: ${describe()} failed after it was superseded: ${errorMessage(outcome.error)}`);
    return false;
  }
  settle(outcome);
  return true;
}

function isAbort(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "AbortError";
}

/** One value, loaded for the latest key only. */
export class Resource<T> {
  private controller: AbortController | null = null;
  private latestKey: string | null = null;

  /**
   * @param name what is loaded, for log messages ("class graph").
   * @param publish receives every state change (keep it in `$state`).
   */
  constructor(
    private readonly name: string,
    private readonly publish: (state: Loadable<T>) => void,
    private readonly log: Logger = console,
  ) {}

  /** Key of the latest load (or `set`), null when idle. Lets a caller skip reloading the same key. */
  get key(): string | null {
    return this.latestKey;
  }

  /**
   * Load `key` with `fetch`, superseding any earlier load. Resolves to the state
   * it published (ready or error), or null when a newer load or `clear()` came first.
   */
  async load(key: string, fetch: Fetch<T>): Promise<Loadable<T> | null> {
    const signal = this.supersede(key);
    this.publish({ status: "loading", key });
    const job: Job<T> = {
      signal,
      partial: (value) => { if (!signal.aborted) this.publish({ status: "loading", key, partial: value }); },
    };
    let published: Loadable<T> | null = null;
    await settleUnlessAborted(signal, () => fetch(job), (o) => {
      if (o.ok) published = { status: "ready", key, value: o.value };
      else {
        published = { status: "error", key, error: errorMessage(o.error), code: errorCode(o.error) };
        this.log.warn(`summit: cannot load ${this.name} (${key}): ${published.error}`);
      }
      this.publish(published);
    }, () => `${this.name} (${key})`, this.log);
    return published;
  }

  /** Publish a value obtained elsewhere (e.g. from a larger answer), superseding any load in flight. */
  set(key: string, value: T): void {
    this.supersede(key);
    this.publish({ status: "ready", key, value });
  }

  /** Back to idle; drops every answer still in flight. */
  clear(): void {
    this.supersede(null);
    this.publish(IDLE);
  }

  private supersede(key: string | null): AbortSignal {
    this.controller?.abort();
    this.controller = new AbortController();
    this.latestKey = key;
    return this.controller.signal;
  }
}

/**
 * Values per id, each loaded once (e.g. example patches per neuron). `reset()`
 * forgets them all and drops answers still in flight (another model).
 */
export class ResourceCache<T> {
  private controller = new AbortController();
  private readonly states = new Map<string, Loadable<T>>();

  constructor(
    private readonly name: string,
    private readonly publish: (states: ReadonlyMap<string, Loadable<T>>) => void,
    private readonly log: Logger = console,
  ) {}

  get(id: string): Loadable<T> {
    return this.states.get(id) ?? IDLE;
  }

  /** Load `id` unless it is loaded or loading (a failed id is tried again). */
  ensure(id: string, fetch: (signal: AbortSignal) => Promise<T>): void {
    const s = this.states.get(id);
    if (s && s.status !== "error") return;
    const signal = this.controller.signal;
    this.put(id, { status: "loading", key: id });
    void settleUnlessAborted(signal, () => fetch(signal), (o) => {
      if (o.ok) this.put(id, { status: "ready", key: id, value: o.value });
      else {
        const error = errorMessage(o.error);
        this.log.warn(`summit: cannot load ${this.name} (${id}): ${error}`);
        this.put(id, { status: "error", key: id, error, code: errorCode(o.error) });
      }
    }, () => `${this.name} (${id})`, this.log);
  }

  reset(): void {
    this.controller.abort();
    this.controller = new AbortController();
    this.states.clear();
    this.publish(new Map(this.states));
  }

  private put(id: string, s: Loadable<T>): void {
    this.states.set(id, s);
    this.publish(new Map(this.states));
  }
}

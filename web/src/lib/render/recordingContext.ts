/**
 * A stand-in CanvasRenderingContext2D for the render tests: it records every
 * method call with the drawing state (colours, alpha, line width, font, ...)
 * in force at that moment. measureText answers `charWidth` px per character.
 */

export interface DrawCall {
  name: string;
  args: unknown[];
  /** Properties set on the context before this call (fillStyle, strokeStyle, globalAlpha, lineWidth, font, ...). */
  state: Readonly<Record<string, unknown>>;
}

export interface Recording {
  ctx: CanvasRenderingContext2D;
  calls: DrawCall[];
  /** The calls of one method, in order. */
  named(name: string): DrawCall[];
}

export function recordingContext(charWidth = 6): Recording {
  const state: Record<string, unknown> = { globalAlpha: 1, lineWidth: 1 };
  const calls: DrawCall[] = [];
  const record = (name: string) => (...args: unknown[]) => {
    calls.push({ name, args, state: { ...state } });
    if (name === "measureText") return { width: String(args[0]).length * charWidth };
    return undefined;
  };
  const ctx = new Proxy(state, {
    get: (target, name) => (typeof name === "string" && !(name in target) ? record(name) : target[name as string]),
    set: (target, name, value) => { target[name as string] = value; return true; },
  }) as unknown as CanvasRenderingContext2D;
  return { ctx, calls, named: (name) => calls.filter((c) => c.name === name) };
}

/**
 * Resolves once the next frame has been drawn: requestAnimationFrame callbacks
 * run before the paint, the zero timeout after it. Follow-up requests wait for
 * this so they never delay drawing what the user asked for.
 */
export function afterNextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/**
 * Neuron tile images for the graph canvas: each URL is fetched once, decoded
 * off the main thread, and the canvas is asked to redraw when one arrives. A
 * tile that fails to load is logged (once) and keeps its placeholder. Tested
 * with fake images in tiles.test.ts.
 */

/** The part of HTMLImageElement used here. */
export interface TileImage {
  decoding: "async" | "sync" | "auto";
  onload: ((this: GlobalEventHandlers, ev: Event) => unknown) | null;
  onerror: OnErrorEventHandler;
  src: string;
  readonly complete: boolean;
  readonly naturalWidth: number;
}

export class TileImages<I extends TileImage = HTMLImageElement> {
  private readonly cache = new Map<string, I>();

  /**
   * @param loaded called when an image has arrived (request a redraw).
   * @param make a new image element (tests pass a fake).
   */
  constructor(
    private readonly loaded: () => void,
    private readonly make: () => I = () => new Image() as unknown as I,
    private readonly log: Pick<Console, "warn"> = console,
  ) {}

  /** The image for `url` once it has loaded; null while loading, after a failure, or for no URL. */
  get(url: string | null): I | null {
    if (!url) return null;
    let img = this.cache.get(url);
    if (!img) {
      img = this.make();
      img.decoding = "async";
      img.onload = () => this.loaded();
      img.onerror = () => this.log.warn(`summit: tile image did not load: ${url}`);
      img.src = url;
      this.cache.set(url, img);
    }
    return img.complete && img.naturalWidth > 0 ? img : null;
  }
}

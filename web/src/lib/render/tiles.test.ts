import { describe, expect, it, vi } from "vitest";
import { TileImages, type TileImage } from "./tiles";

class FakeImage implements TileImage {
  decoding: "async" | "sync" | "auto" = "auto";
  onload: TileImage["onload"] = null;
  onerror: TileImage["onerror"] = null;
  src = "";
  complete = false;
  naturalWidth = 0;
  arrive() { this.complete = true; this.naturalWidth = 64; this.onload?.call(globalThis as unknown as GlobalEventHandlers, new Event("load")); }
  fail() { this.complete = true; (this.onerror as (e: string) => void)?.("error"); }
}

describe("TileImages", () => {
  it("fetches each URL once, decoding async, and asks for a redraw when it arrives", () => {
    const made: FakeImage[] = [];
    const loaded = vi.fn();
    const tiles = new TileImages(loaded, () => { const i = new FakeImage(); made.push(i); return i; });
    expect(tiles.get("/media/m/a.jpg")).toBeNull();
    expect(tiles.get("/media/m/a.jpg")).toBeNull();
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ src: "/media/m/a.jpg", decoding: "async" });
    made[0].arrive();
    expect(loaded).toHaveBeenCalledOnce();
    expect(tiles.get("/media/m/a.jpg")).toBe(made[0]);
  });

  it("no URL, no image; a failed image is logged with its URL and stays a placeholder", () => {
    const made: FakeImage[] = [];
    const log = { warn: vi.fn() };
    const tiles = new TileImages(() => {}, () => { const i = new FakeImage(); made.push(i); return i; }, log);
    expect(tiles.get(null)).toBeNull();
    expect(made).toHaveLength(0);
    tiles.get("/media/m/broken.jpg");
    made[0].fail();
    expect(log.warn).toHaveBeenCalledWith("summit: tile image did not load: /media/m/broken.jpg");
    expect(tiles.get("/media/m/broken.jpg")).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import type { ImageGraphData } from "../api/types";
import { exampleChoices, fromImageGraph, imageLabel, sharedHighlight } from "./imageGraph";

const ref = (id: string, layerIndex: number) => ({ id, layer: id.split(":")[0], layerIndex, channel: Number(id.split(":")[1]), image: null });
const graph: ImageGraphData = {
  image: "n1/a.JPEG", personalization: "IMAGE", sharedNodes: 1, classNodes: 3, preview: "data:image/jpeg;base64,", seconds: 0.1,
  class: { index: 0, wnid: "n1", name: "tench" }, label: null, predictions: [],
  nodes: [
    { neuron: ref("l0:1", 0), count: 1, pagerank: 0.3, inClassGraph: true },
    { neuron: ref("l1:2", 1), count: 0, pagerank: 0.2, inClassGraph: false },
  ],
  edges: [{ src: "l0:1", dst: "l1:2", weight: 1, inClassGraph: false }, { src: "l0:1", dst: "l1:3", weight: 1, inClassGraph: true }],
};

describe("image graph shaping", () => {
  it("marks what the class graph shares with the compare colours' groups", () => {
    const g = fromImageGraph(graph);
    expect(g.nodes.map((n) => [n.id, n.group, n.layerIndex, n.channel])).toEqual([["l0:1", "shared", 0, 1], ["l1:2", "b", 1, 2]]);
    expect(g.edges.map((e) => e.group)).toEqual(["b", "shared"]);
  });

  it("highlights only the shared neurons and edges on the class graph", () => {
    const h = sharedHighlight(graph);
    expect([...h.nodes]).toEqual(["l0:1"]);
    expect([...h.edges]).toEqual(["l0:1>l1:3"]);
  });

  it("offers each example image once, the most central neurons' first, up to a limit", () => {
    const ex = (image: string) => ({ image, url: `/media/m/${image}` });
    const choices = exampleChoices({
      nodes: [
        { pagerank: 0.1, neuron: { id: "a:1", examples: [ex("x.jpg"), ex("y.jpg")] } },
        { pagerank: 0.5, neuron: { id: "a:2", examples: [ex("y.jpg"), ex("z.jpg")] } },
      ],
    }, 3);
    expect(choices).toEqual([
      { image: "y.jpg", url: "/media/m/y.jpg", neuron: "a:2" },
      { image: "z.jpg", url: "/media/m/z.jpg", neuron: "a:2" },
      { image: "x.jpg", url: "/media/m/x.jpg", neuron: "a:1" },
    ]);
    expect(exampleChoices({ nodes: [] })).toEqual([]);
  });

  it("names images by file, uploads as such", () => {
    expect(imageLabel("n01440764/tench.JPEG")).toBe("tench.JPEG");
    expect(imageLabel("upload:abc")).toBe("uploaded image");
  });
});

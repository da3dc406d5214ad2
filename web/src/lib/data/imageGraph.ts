/**
 * One image's graph for drawing beside its class graph: nodes and edges the
 * class graph shares are group "shared", the image's own are group "b" (the
 * compare colours), and the shared part highlights the class graph. Also the
 * example images one can pick. Pure data shaping; tested in imageGraph.test.ts.
 */
import type { ClassExampleImagesData, ImageGraphData } from "../api/types";
import { edgeKey, type ViewGraph } from "./graph";

export function fromImageGraph(g: ImageGraphData): ViewGraph {
  return {
    nodes: g.nodes.map((n) => ({
      id: n.neuron.id, layer: n.neuron.layer, layerIndex: n.neuron.layerIndex, channel: n.neuron.channel,
      image: n.neuron.image ?? null, count: n.count, pagerank: n.pagerank, group: n.inClassGraph ? "shared" : "b",
    })),
    edges: g.edges.map((e) => ({ src: e.src, dst: e.dst, weight: e.weight, group: e.inClassGraph ? "shared" : "b" })),
  };
}

/** The class graph's neurons and edges that the image's graph also has (for the class graph to emphasise). */
export function sharedHighlight(g: ImageGraphData): { nodes: Set<string>; edges: Set<string> } {
  return {
    nodes: new Set(g.nodes.filter((n) => n.inClassGraph).map((n) => n.neuron.id)),
    edges: new Set(g.edges.filter((e) => e.inClassGraph).map(edgeKey)),
  };
}

export interface ImageChoice {
  /** The dataset path of the image (what imageGraph takes). */
  image: string;
  /** A patch of it (the example of `neuron`). */
  url: string;
  neuron: string;
}

/** Distinct source images of the class graph's examples, the most central neurons' first. */
export function exampleChoices(g: ClassExampleImagesData, limit = 30): ImageChoice[] {
  const out: ImageChoice[] = [];
  const seen = new Set<string>();
  const nodes = [...g.nodes].sort((a, b) => b.pagerank - a.pagerank || a.neuron.id.localeCompare(b.neuron.id));
  for (const n of nodes) {
    for (const ex of n.neuron.examples) {
      if (seen.has(ex.image)) continue;
      seen.add(ex.image);
      out.push({ image: ex.image, url: ex.url, neuron: n.neuron.id });
      if (out.length >= limit) return out;
    }
  }
  return out;
}

/** A short name for an image: its file name, or "uploaded image". */
export function imageLabel(image: string): string {
  return image.startsWith("upload:") ? "uploaded image" : image.split("/").pop() ?? image;
}

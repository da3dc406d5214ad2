/**
 * Result types of the queries in queries.ts, written by hand from
 * server/schema.graphql. queries.test.ts validates every query against that
 * schema, so a renamed or removed field fails the unit tests.
 */

export interface LayerInfo { name: string; index: number; channels: number }

export interface ModelSummary {
  id: string; name: string; dataset: string; images: number | null; top1Accuracy: number | null;
}
/** A mean over classes with its 95 % bootstrap interval. */
export interface Interval { mean: number | null; low: number | null; high: number | null }

/** Held-out faithfulness of a model's class graphs (Model.faithfulness). */
export interface FaithfulnessSummary {
  graphMethod: string | null; heldOut: boolean; graphData: string; ablationData: string;
  sharedImages: number | null; classes: number; images: number; meanGraphNeurons: number;
  probDrop: { graph: Interval; active: Interval; random: Interval; graphMinusActive: Interval };
}

export interface ModelInfo extends ModelSummary {
  layers: LayerInfo[]; graphMethod: string; faithfulness: FaithfulnessSummary | null;
}

export interface Faithfulness {
  images: number; graphNeurons: number; baseProb: number;
  graphProbDrop: number; randomProbDropMean: number; randomProbDropStd: number;
  baseTop1: number; graphTop1Drop: number; randomTop1DropMean: number; randomTop1DropStd: number;
  activeProbDrop: number | null; activeTop1Drop: number | null;
}

export interface ClassInfo {
  /** null: not published (a model imported from published results) */
  index: number; wnid: string; name: string; images: number | null;
  top1Correct: number | null; accuracy: number | null; probHist: number[] | null;
  /** top-1 confidence histogram (Summit's); null or [] when not recorded */
  top1ProbHist: number[] | null;
  faithfulness: Faithfulness | null;
}

export interface ClassPage {
  totalCount: number;
  edges: { cursor: string; similarity: number | null; node: ClassInfo }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface SimilarityPage {
  totalCount: number;
  edges: { similarity: number | null; node: { index: number } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface NeuronRef { id: string; layer: string; layerIndex: number; channel: number; image: string | null }

export interface GraphNodeData { neuron: Omit<NeuronRef, "image"> & { image?: string | null }; count: number; pagerank: number }
export interface GraphEdgeData { src: string; dst: string; weight: number }
export interface ClassGraphData { class: ClassInfo; nodes: GraphNodeData[]; edges: GraphEdgeData[] }

export interface ExampleData { rank: number; image: string | null; score: number | null; url: string }

export interface NeuronDetailData {
  neuron: NeuronRef & { featurevis: string[]; examples: ExampleData[] };
  topClasses: { class: { index: number; wnid: string; name: string }; count: number; mean: number | null }[];
  edges: { src: string; dst: string; classIndex: number | null; count: number }[];
}

export interface ComparedNodeData {
  neuron: NeuronRef; countA: number | null; countB: number | null;
  pagerankA: number | null; pagerankB: number | null;
}
export interface ComparisonData {
  a: ClassInfo; b: ClassInfo;
  shared: ComparedNodeData[]; onlyA: ComparedNodeData[]; onlyB: ComparedNodeData[];
  edges: { src: string; dst: string; weightA: number | null; weightB: number | null }[];
}

export interface PathData { neurons: string[]; weights: number[]; score: number }
export interface SearchHitData { kind: string; id: string; label: string; score: number }
export interface EmbeddingPointData { classIndex: number; layer: string; x: number; y: number }

export interface ImageGraphSupportData {
  available: boolean; reason: string | null; datasetImages: boolean; uploads: boolean; maxUploadBytes: number;
}
export type Personalization = "IMAGE" | "CLASS";
export interface PredictionData { classIndex: number; wnid: string; name: string; probability: number }
export interface ImageGraphNodeData { neuron: NeuronRef; count: number; pagerank: number; inClassGraph: boolean }
export interface ImageGraphEdgeData { src: string; dst: string; weight: number; inClassGraph: boolean }
export interface ImageGraphData {
  image: string; personalization: Personalization; sharedNodes: number; classNodes: number;
  /** data: URL of what the model saw. */
  preview: string; seconds: number;
  class: { index: number; wnid: string; name: string };
  label: { index: number; wnid: string; name: string } | null;
  predictions: PredictionData[];
  nodes: ImageGraphNodeData[]; edges: ImageGraphEdgeData[];
}
export interface ClassExampleImagesData {
  nodes: { pagerank: number; neuron: { id: string; examples: { image: string; url: string }[] } }[];
}
/** The answer of POST /uploads. */
export interface UploadData { image: string; bytes: number; format: string; width: number; height: number }
export interface SuggestedGroupData { id: number; layer: string; neurons: string[]; cohesion: number }
export interface ContainingClassData { class: { index: number; wnid: string; name: string }; mass: number }
export type NoteKind = "NEURON" | "GROUP";
export interface NoteData { kind: NoteKind; target: string; neurons: string[]; text: string; updated: string }

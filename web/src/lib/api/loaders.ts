/** Typed wrappers over the GraphQL queries (one function per use; pagination handled here). */
import type { Request } from "./client";
import * as Q from "./queries";
import type {
  ClassExampleImagesData, ClassGraphData, ClassInfo, ClassPage, ComparisonData, ContainingClassData, EmbeddingPointData,
  ExampleData, ImageGraphData, ImageGraphSupportData, ModelInfo, ModelSummary, NeuronDetailData, NoteData, NoteKind,
  PathData, Personalization, SearchHitData, SimilarityPage, SuggestedGroupData,
} from "./types";

const PAGE = 500;

export function makeApi(request: Request) {
  return {
    models: async () => (await request<{ models: ModelSummary[] }>(Q.MODELS)).models,
    model: async (model: string | null) => (await request<{ model: ModelInfo }>(Q.MODEL, { model })).model,
    /** All classes, following the cursor until the last page. */
    classes: async (model: string | null): Promise<{ total: number; classes: ClassInfo[] }> => {
      const out: ClassInfo[] = [];
      let after: string | null = null, total = 0;
      for (;;) {
        const r: { model: { classes: ClassPage } } = await request(Q.CLASSES, { model, first: PAGE, after });
        total = r.model.classes.totalCount;
        out.push(...r.model.classes.edges.map((e) => e.node));
        if (!r.model.classes.pageInfo.hasNextPage || !r.model.classes.pageInfo.endCursor) break;
        after = r.model.classes.pageInfo.endCursor;
      }
      return { total, classes: out };
    },
    similarity: async (model: string | null, similarTo: number): Promise<Map<number, number>> => {
      const out = new Map<number, number>();
      let after: string | null = null;
      for (;;) {
        const r: { model: { classes: SimilarityPage } } = await request(Q.SIMILARITY, { model, similarTo, first: PAGE, after });
        for (const e of r.model.classes.edges) if (e.similarity != null) out.set(e.node.index, e.similarity);
        if (!r.model.classes.pageInfo.hasNextPage || !r.model.classes.pageInfo.endCursor) break;
        after = r.model.classes.pageInfo.endCursor;
      }
      return out;
    },
    classGraph: async (model: string | null, key: string, topN: number | null, minWeight: number) =>
      (await request<{ model: { classGraph: ClassGraphData } }>(Q.CLASS_GRAPH, { model, key, topN, minWeight })).model.classGraph,
    classGraphImages: async (model: string | null, key: string, topN: number | null, minWeight: number) => {
      const r = await request<{ model: { classGraph: { nodes: { neuron: { id: string; image: string | null } }[] } } }>(
        Q.CLASS_GRAPH_IMAGES, { model, key, topN, minWeight });
      return new Map(r.model.classGraph.nodes.map((n) => [n.neuron.id, n.neuron.image]));
    },
    examples: async (model: string | null, id: string, limit = 6) =>
      (await request<{ model: { neuron: { neuron: { examples: ExampleData[] } } } }>(Q.NEURON_EXAMPLES, { model, id, limit })).model.neuron.neuron.examples,
    neuron: async (model: string | null, id: string, classKey: string | null) =>
      (await request<{ model: { neuron: NeuronDetailData } }>(Q.NEURON_DETAIL, { model, id, classKey })).model.neuron,
    compare: async (model: string | null, a: string, b: string) =>
      (await request<{ model: { compare: ComparisonData } }>(Q.COMPARE, { model, a, b })).model.compare,
    paths: async (model: string | null, key: string, from: string, to: string | null) =>
      (await request<{ model: { paths: PathData[] } }>(Q.PATHS, { model, key, from, to, k: 5, mode: "SUM" })).model.paths,
    search: async (model: string | null, text: string) =>
      (await request<{ model: { search: SearchHitData[] } }>(Q.SEARCH, { model, text, limit: 20 })).model.search,
    embedding: async (model: string | null, layer: string) =>
      (await request<{ model: { embedding: EmbeddingPointData[] } }>(Q.EMBEDDING, { model, layer })).model.embedding,
    imageGraphSupport: async (model: string | null) =>
      (await request<{ model: { imageGraphSupport: ImageGraphSupportData } }>(Q.IMAGE_GRAPH_SUPPORT, { model })).model.imageGraphSupport,
    imageGraph: async (model: string | null, image: string, key: string, personalization: Personalization) =>
      (await request<{ model: { imageGraph: ImageGraphData } }>(Q.IMAGE_GRAPH, { model, image, key, personalization })).model.imageGraph,
    classExampleImages: async (model: string | null, key: string, limit = 3) =>
      (await request<{ model: { classGraph: ClassExampleImagesData } }>(Q.CLASS_EXAMPLE_IMAGES, { model, key, limit })).model.classGraph,
    suggestedGroups: async (model: string | null) =>
      (await request<{ model: { suggestedGroups: SuggestedGroupData[] } }>(Q.SUGGESTED_GROUPS, { model })).model.suggestedGroups,
    /** Classes whose graph holds every neuron and edge ("src>dst") of a pinned subgraph. */
    classesContaining: async (model: string | null, neurons: string[], edges: string[], limit = 50) => {
      const pairs = edges.map((e) => { const [src, dst] = e.split(">"); return { src, dst }; });
      return (await request<{ model: { classesContaining: ContainingClassData[] } }>(
        Q.CLASSES_CONTAINING, { model, neurons, edges: pairs, limit })).model.classesContaining;
    },
    notes: async (model: string | null) => (await request<{ model: { notes: NoteData[] } }>(Q.NOTES, { model })).model.notes,
    canWrite: async () => (await request<{ viewer: { canWrite: boolean } }>(Q.VIEWER)).viewer.canWrite,
    setNote: async (model: string, kind: NoteKind, target: string, text: string, neurons: string[] | null) =>
      (await request<{ setNote: NoteData }>(Q.SET_NOTE, { model, kind, target, text, neurons })).setNote,
    deleteNote: async (model: string, kind: NoteKind, target: string) =>
      (await request<{ deleteNote: boolean }>(Q.DELETE_NOTE, { model, kind, target })).deleteNote,
  };
}

export type Api = ReturnType<typeof makeApi>;

/** Every GraphQL document the app sends. Validated against server/schema.graphql in queries.test.ts. */

const CLASS_FIELDS = `
  index wnid name images top1Correct accuracy probHist top1ProbHist
  faithfulness {
    images graphNeurons baseProb graphProbDrop randomProbDropMean randomProbDropStd
    baseTop1 graphTop1Drop randomTop1DropMean randomTop1DropStd activeProbDrop activeTop1Drop
  }`;

const INTERVAL = `mean low high`;
const DROPS = `graph { ${INTERVAL} } active { ${INTERVAL} } random { ${INTERVAL} } graphMinusActive { ${INTERVAL} }`;
const MODEL_FAITHFULNESS = `faithfulness {
    graphMethod heldOut graphData ablationData sharedImages classes images meanGraphNeurons
    probDrop { ${DROPS} }
  }`;

const NEURON_REF = `id layer layerIndex channel image`;

export const MODELS = `query Models {
  models { id name dataset images top1Accuracy }
}`;

export const MODEL = `query Model($model: String) {
  model(id: $model) {
    id name dataset images top1Accuracy graphMethod layers { name index channels }
    ${MODEL_FAITHFULNESS}
  }
}`;

export const CLASSES = `query Classes($model: String, $first: Int, $after: String) {
  model(id: $model) {
    classes(first: $first, after: $after, sort: INDEX) {
      totalCount
      edges { cursor similarity node { ${CLASS_FIELDS} } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

export const SIMILARITY = `query Similarity($model: String, $similarTo: Int!, $first: Int, $after: String) {
  model(id: $model) {
    classes(first: $first, after: $after, sort: SIMILARITY, similarTo: $similarTo) {
      totalCount
      edges { similarity node { index } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

export const CLASS = `query ClassInfo($model: String, $key: String!) {
  model(id: $model) { class(key: $key) { ${CLASS_FIELDS} } }
}`;

export const CLASS_GRAPH = `query ClassGraph($model: String, $key: String!, $topN: Int, $minWeight: Int) {
  model(id: $model) {
    classGraph(classKey: $key, topN: $topN, minWeight: $minWeight) {
      class { ${CLASS_FIELDS} }
      nodes { count pagerank neuron { id layer layerIndex channel } }
      edges { src dst weight }
    }
  }
}`;

/** Second phase of a class graph: tile images, fetched after the graph is drawn. */
export const CLASS_GRAPH_IMAGES = `query ClassGraphImages($model: String, $key: String!, $topN: Int, $minWeight: Int) {
  model(id: $model) {
    classGraph(classKey: $key, topN: $topN, minWeight: $minWeight) { nodes { neuron { id image } } }
  }
}`;

export const NEURON_EXAMPLES = `query NeuronExamples($model: String, $id: String!, $limit: Int) {
  model(id: $model) {
    neuron(id: $id) { neuron { id examples(limit: $limit) { rank image score url } } }
  }
}`;

export const NEURON_DETAIL = `query NeuronDetail($model: String, $id: String!, $classKey: String) {
  model(id: $model) {
    neuron(id: $id) {
      neuron { ${NEURON_REF} featurevis examples(limit: 10) { rank image score url } }
      topClasses(limit: 10) { class { index wnid name } count mean }
      edges(classKey: $classKey, direction: BOTH, limit: 50) { src dst classIndex count }
    }
  }
}`;

export const COMPARE = `query Compare($model: String, $a: String!, $b: String!) {
  model(id: $model) {
    compare(a: $a, b: $b) {
      a { ${CLASS_FIELDS} }
      b { ${CLASS_FIELDS} }
      shared { countA countB pagerankA pagerankB neuron { ${NEURON_REF} } }
      onlyA { countA countB pagerankA pagerankB neuron { ${NEURON_REF} } }
      onlyB { countA countB pagerankA pagerankB neuron { ${NEURON_REF} } }
      edges { src dst weightA weightB }
    }
  }
}`;

export const PATHS = `query Paths($model: String, $key: String!, $from: String!, $to: String, $k: Int, $mode: PathMode) {
  model(id: $model) { paths(classKey: $key, from: $from, to: $to, k: $k, mode: $mode) { neurons weights score } }
}`;

export const SEARCH = `query Search($model: String, $text: String!, $limit: Int) {
  model(id: $model) { search(text: $text, limit: $limit) { kind id label score } }
}`;

export const EMBEDDING = `query Embedding($model: String, $layer: String!) {
  model(id: $model) { embedding(layer: $layer) { classIndex layer x y } }
}`;

/** Whether the server computes one image's graph for the model (and accepts uploads). */
export const IMAGE_GRAPH_SUPPORT = `query ImageGraphSupport($model: String) {
  model(id: $model) { imageGraphSupport { available reason datasetImages uploads maxUploadBytes } }
}`;

/** One image's attribution graph beside the class graph of `key`. */
export const IMAGE_GRAPH = `query ImageGraph($model: String, $image: String!, $key: String, $personalization: ImagePersonalization) {
  model(id: $model) {
    imageGraph(image: $image, classKey: $key, personalization: $personalization) {
      image personalization sharedNodes classNodes preview seconds
      class { index wnid name }
      label { index wnid name }
      predictions { classIndex wnid name probability }
      nodes { count pagerank inClassGraph neuron { ${NEURON_REF} } }
      edges { src dst weight inClassGraph }
    }
  }
}`;

/** Dataset examples of a class graph's neurons: the images one can pick for an image graph. */
export const CLASS_EXAMPLE_IMAGES = `query ClassExampleImages($model: String, $key: String!, $limit: Int) {
  model(id: $model) {
    classGraph(classKey: $key) { nodes { pagerank neuron { id examples(limit: $limit) { image url } } } }
  }
}`;

export const SUGGESTED_GROUPS = `query SuggestedGroups($model: String) {
  model(id: $model) { suggestedGroups { id layer neurons cohesion } }
}`;

export const CLASSES_CONTAINING = `query ClassesContaining($model: String, $neurons: [String!], $edges: [EdgeInput!], $limit: Int) {
  model(id: $model) { classesContaining(neurons: $neurons, edges: $edges, limit: $limit) { class { index wnid name } mass } }
}`;

const NOTE_FIELDS = "kind target neurons text updated";

export const NOTES = `query Notes($model: String) {
  model(id: $model) { notes { ${NOTE_FIELDS} } }
}`;

export const VIEWER = `query Viewer { viewer { canWrite } }`;

export const SET_NOTE = `mutation SetNote($model: String!, $kind: NoteKind!, $target: String!, $text: String!, $neurons: [String!]) {
  setNote(model: $model, kind: $kind, target: $target, text: $text, neurons: $neurons) { ${NOTE_FIELDS} }
}`;

export const DELETE_NOTE = `mutation DeleteNote($model: String!, $kind: NoteKind!, $target: String!) {
  deleteNote(model: $model, kind: $kind, target: $target)
}`;

/** All documents, for the schema validation test. */
export const ALL_QUERIES: Record<string, string> = {
  MODELS, MODEL, CLASSES, SIMILARITY, CLASS, CLASS_GRAPH, CLASS_GRAPH_IMAGES, NEURON_EXAMPLES,
  NEURON_DETAIL, COMPARE, PATHS, SEARCH, EMBEDDING, IMAGE_GRAPH_SUPPORT, IMAGE_GRAPH, CLASS_EXAMPLE_IMAGES,
  SUGGESTED_GROUPS, CLASSES_CONTAINING, NOTES, VIEWER, SET_NOTE, DELETE_NOTE,
};

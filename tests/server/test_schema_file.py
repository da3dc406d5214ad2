"""The committed schema.graphql is exactly what the code generates."""

from __future__ import annotations

from summit.server.schema import SCHEMA_FILE, sdl


def test_schema_file_matches_code() -> None:
    assert SCHEMA_FILE.read_text() == sdl(), (
        "server/schema.graphql is out of date: run `python -m summit.server.schema > server/schema.graphql` "
        "(and tell the web app, which generates its types from it)"
    )


def test_schema_keeps_the_web_contract() -> None:
    # Names the web app codes against (the draft contract); removing one breaks the web app.
    # Arguments with defaults are nullable (null = the default), so clients may pass nullable variables.
    text = sdl()
    for needle in [
        "models: [Model!]!", "model(id: String = null): Model!", "top1Accuracy: Float\n",
        "classes(first: Int = 100, after: String = null, search: String = null, sort: ClassSort = INDEX, similarTo: Int = null): ClassConnection!",
        "class(key: String!): Class!", "classGraph(classKey: String!, topN: Int = null, minWeight: Int = 0): ClassGraph!",
        "neuron(id: String!): NeuronDetail!", "neighbourhood(classKey: String!, neuronId: String!, hops: Int = 1): ClassGraph!",
        "paths(classKey: String!, from: String!, to: String = null, k: Int = 5, mode: PathMode = SUM): [Path!]!",
        "compare(a: String!, b: String!): Comparison!",
        "similarClasses(classKey: String!, layer: String = null, limit: Int = 20): [SimilarClass!]!",
        "search(text: String!, limit: Int = 20): [SearchHit!]!", "embedding(layer: String!): [EmbeddingPoint!]!",
        "examples(limit: Int = 10): [Example!]!", "featurevis: [String!]!", "image: String",
        "topClasses(limit: Int = 10): [ClassActivation!]!",
        "edges(classKey: String = null, direction: Direction = BOTH, limit: Int = 50): [InfluenceEdge!]!",
    ]:
        assert needle in text, needle

"""Every field of the schema through HTTP, on the hand-set in-memory store (known answers)."""

from __future__ import annotations

from collections.abc import Sequence

from tests.server.conftest import Gql, run_gql
from tests.server.memstore import MODEL, MemStore


def data(body: dict) -> dict:
    assert "errors" not in body, body["errors"]
    return body["data"]


def test_models_and_model_fields(gql: Gql) -> None:
    d = data(gql("""{ models { id name dataset created images classCount top1Correct top1Accuracy
                     layers { name index channels } }
                    model { id } named: model(id: "tiny-run") { name } }"""))
    assert d["models"] == [{
        "id": MODEL, "name": "tiny", "dataset": "toyset", "created": "2026-11-25", "images": 24, "classCount": 3,
        "top1Correct": 17, "top1Accuracy": 17 / 24,
        "layers": [{"name": "a", "index": 0, "channels": 3}, {"name": "b", "index": 1, "channels": 3},
                   {"name": "c", "index": 2, "channels": 2}],
    }]
    assert d["model"]["id"] == MODEL
    assert d["named"]["name"] == "tiny"


CLASS_FIELDS = """index wnid name images top1Correct accuracy probHist faithfulness {
  images graphNeurons baseProb graphProbDrop randomProbDropMean randomProbDropStd
  baseTop1 graphTop1Drop randomTop1DropMean randomTop1DropStd }"""


def test_class_fields(gql: Gql) -> None:
    d = data(gql(f"{{ model {{ byName: class(key: \"tench\") {{ {CLASS_FIELDS} }} byWnid: class(key: \"n02\") {{ index faithfulness {{ images }} }} }} }}"))
    tench = d["model"]["byName"]
    assert tench["index"] == 0
    assert tench["wnid"] == "n01"
    assert tench["images"] == 10
    assert tench["top1Correct"] == 8
    assert tench["accuracy"] == 0.8
    assert tench["probHist"] == list(range(20))
    assert tench["faithfulness"] == {
        "images": 10, "graphNeurons": 3, "baseProb": 0.9, "graphProbDrop": 0.5, "randomProbDropMean": 0.1,
        "randomProbDropStd": 0.05, "baseTop1": 0.8, "graphTop1Drop": 0.6, "randomTop1DropMean": 0.1,
        "randomTop1DropStd": 0.02,
    }
    assert d["model"]["byWnid"] == {"index": 1, "faithfulness": None}


def test_classes_connection_paging(gql: Gql) -> None:
    q = """query($after: String) { model { classes(first: 2, after: $after) {
             totalCount edges { cursor node { index } similarity } pageInfo { hasNextPage endCursor } } } }"""
    first = data(gql(q))["model"]["classes"]
    assert first["totalCount"] == 3
    assert [e["node"]["index"] for e in first["edges"]] == [0, 1]
    assert first["edges"][0]["similarity"] is None
    assert first["pageInfo"]["hasNextPage"] is True
    second = data(gql(q, {"after": first["pageInfo"]["endCursor"]}))["model"]["classes"]
    assert [e["node"]["index"] for e in second["edges"]] == [2]
    assert second["pageInfo"] == {"hasNextPage": False, "endCursor": second["edges"][0]["cursor"]}


def test_classes_search_and_sorts(gql: Gql) -> None:
    q = """query($s: String, $sort: ClassSort!, $sim: Int) { model { classes(search: $s, sort: $sort, similarTo: $sim) {
             totalCount edges { node { index } similarity } } } }"""

    def indices(**v: object) -> list[int]:
        conn = data(gql(q, {"s": None, "sim": None, **v}))["model"]["classes"]
        return [e["node"]["index"] for e in conn["edges"]]

    assert indices(s="fish", sort="INDEX") == [1]
    assert indices(s="N03", sort="INDEX") == [2]
    assert indices(sort="NAME") == [1, 2, 0]
    assert indices(sort="ACCURACY") == [2, 0, 1]
    assert indices(sort="SIMILARITY", sim=2) == [1, 0, 2]
    conn = data(gql(q, {"s": None, "sort": "SIMILARITY", "sim": 2}))["model"]["classes"]
    assert [e["similarity"] for e in conn["edges"]] == [0.5, 1 / 3, None]


GRAPH = """class { index } nodes { count pagerank neuron { id layer layerIndex channel } } edges { src dst weight }"""


def test_class_graph_and_thresholds(gql: Gql) -> None:
    d = data(gql(f"""{{ model {{ full: classGraph(classKey: "0") {{ {GRAPH} }}
                       top: classGraph(classKey: "tench", topN: 1, minWeight: 3) {{ nodes {{ neuron {{ id }} }} edges {{ src dst }} }} }} }}"""))
    full = d["model"]["full"]
    assert full["class"] == {"index": 0}
    assert [n["neuron"]["id"] for n in full["nodes"]] == ["a:0", "a:1", "b:0", "c:1"]
    assert full["nodes"][0] == {"count": 9, "pagerank": 0.3, "neuron": {"id": "a:0", "layer": "a", "layerIndex": 0, "channel": 0}}
    assert full["edges"] == [{"src": "a:0", "dst": "b:0", "weight": 6}, {"src": "a:1", "dst": "b:0", "weight": 2},
                             {"src": "b:0", "dst": "c:1", "weight": 5}]
    top = d["model"]["top"]
    assert [n["neuron"]["id"] for n in top["nodes"]] == ["a:0", "b:0", "c:1"]
    assert top["edges"] == [{"src": "a:0", "dst": "b:0"}, {"src": "b:0", "dst": "c:1"}]


def test_neuron_fields(gql: Gql) -> None:
    d = data(gql("""{ model { neuron(id: "a:0") {
        neuron { id layer channel featurevis image examples(limit: 1) { neuronId rank image score url } }
        topClasses { class { index name } count mean }
        one: topClasses(limit: 1) { class { index } }
        edges { src dst classIndex count }
        out0: edges(classKey: "0", direction: OUT, limit: 1) { src dst classIndex count }
        into: edges(direction: IN) { src } } } }"""))
    detail = d["model"]["neuron"]
    neuron = detail["neuron"]
    assert neuron["featurevis"] == [f"/media/{MODEL}/featurevis/a/0.png"]
    assert neuron["image"] == f"/media/{MODEL}/featurevis/a/0.png"
    assert neuron["examples"] == [{"neuronId": "a:0", "rank": 0, "image": "img0.jpg", "score": 1.0,
                                   "url": f"/media/{MODEL}/examples/a/0_0.jpg"}]
    assert detail["topClasses"] == [{"class": {"index": 0, "name": "tench"}, "count": 9, "mean": 4.5},
                                    {"class": {"index": 1, "name": "goldfish"}, "count": 3, "mean": 1.5}]
    assert detail["one"] == [{"class": {"index": 0}}]
    assert detail["edges"] == [{"src": "a:0", "dst": "b:0", "classIndex": None, "count": 6},
                               {"src": "a:0", "dst": "b:2", "classIndex": None, "count": 3}]
    assert detail["out0"] == [{"src": "a:0", "dst": "b:0", "classIndex": 0, "count": 6}]
    assert detail["into"] == []


class NoFeatureVis(MemStore):
    """A store whose neurons have no feature visualisations (``summit featurevis`` never ran)."""

    def featurevis(self, model: str, neuron_ids: Sequence[str]) -> dict[str, list[str]]:
        return {i: [] for i in super().featurevis(model, neuron_ids)}


def test_neuron_image_falls_back_to_example(client_for) -> None:
    client = client_for(NoFeatureVis())
    body = run_gql(client, '{ model { classGraph(classKey: "2") { nodes { neuron { featurevis image } } } } }')
    assert body["data"]["model"]["classGraph"]["nodes"][0]["neuron"] == {
        "featurevis": [], "image": f"/media/{MODEL}/examples/a/2_0.jpg"}


def test_neighbourhood_paths_compare(gql: Gql) -> None:
    d = data(gql(f"""{{ model {{
        nb: neighbourhood(classKey: "0", neuronId: "c:1", hops: 1) {{ {GRAPH} }}
        nb2: neighbourhood(classKey: "0", neuronId: "c:1", hops: 2) {{ nodes {{ neuron {{ id }} }} }}
        paths(classKey: "0", from: "a:0", k: 5) {{ neurons weights score nodes {{ id layer }} }}
        bott: paths(classKey: "0", from: "a:1", to: "c:1", mode: BOTTLENECK) {{ neurons score }}
        compare(a: "0", b: "goldfish") {{ a {{ index }} b {{ index }}
          shared {{ neuron {{ id }} countA countB pagerankA pagerankB }}
          onlyA {{ neuron {{ id }} countB }} onlyB {{ neuron {{ id }} }} edges {{ src dst weightA weightB }} }} }} }}"""))
    m = d["model"]
    assert [n["neuron"]["id"] for n in m["nb"]["nodes"]] == ["b:0", "c:1"]
    assert m["nb"]["edges"] == [{"src": "b:0", "dst": "c:1", "weight": 5}]
    assert [n["neuron"]["id"] for n in m["nb2"]["nodes"]] == ["a:0", "a:1", "b:0", "c:1"]
    assert m["paths"] == [{"neurons": ["a:0", "b:0", "c:1"], "weights": [6, 5], "score": 11.0,
                           "nodes": [{"id": "a:0", "layer": "a"}, {"id": "b:0", "layer": "b"}, {"id": "c:1", "layer": "c"}]}]
    assert m["bott"] == [{"neurons": ["a:1", "b:0", "c:1"], "score": 2.0}]
    cmp = m["compare"]
    assert cmp["a"] == {"index": 0}
    assert cmp["b"] == {"index": 1}
    assert cmp["shared"] == [{"neuron": {"id": "a:0"}, "countA": 9, "countB": 3, "pagerankA": 0.3, "pagerankB": 0.2}]
    assert [n["neuron"]["id"] for n in cmp["onlyA"]] == ["a:1", "b:0", "c:1"]
    assert cmp["onlyA"][0]["countB"] is None
    assert [n["neuron"]["id"] for n in cmp["onlyB"]] == ["b:2", "c:0"]
    assert {"src": "a:0", "dst": "b:2", "weightA": None, "weightB": 3} in cmp["edges"]


def test_similar_search_embedding(gql: Gql) -> None:
    d = data(gql("""{ model {
        similarClasses(classKey: "1", limit: 1) { class { index } similarity }
        all: similarClasses(classKey: "1", layer: "b") { class { index } }
        search(text: "gold") { kind id label score }
        neurons: search(text: "a:", limit: 2) { kind id }
        embedding(layer: "b") { classIndex layer x y class { name } } } }"""))
    m = d["model"]
    assert m["similarClasses"] == [{"class": {"index": 0}, "similarity": 0.5}]
    assert [c["class"]["index"] for c in m["all"]] == [0, 2]
    assert m["search"] == [{"kind": "class", "id": "1", "label": "goldfish (n02)", "score": 1.0}]
    assert m["neurons"] == [{"kind": "neuron", "id": "a:0"}, {"kind": "neuron", "id": "a:1"}]
    assert m["embedding"][2] == {"classIndex": 2, "layer": "b", "x": 2.0, "y": -2.0, "class": {"name": "great white shark"}}
    assert len(m["embedding"]) == 3


def test_null_arguments_mean_defaults(gql: Gql) -> None:
    q = """query($first: Int, $sort: ClassSort, $minWeight: Int, $k: Int, $mode: PathMode, $limit: Int, $hops: Int,
                 $dir: Direction) { model {
        classes(first: $first, sort: $sort) { totalCount edges { node { index } } }
        classGraph(classKey: "0", minWeight: $minWeight) { edges { src } }
        paths(classKey: "0", from: "a:0", k: $k, mode: $mode) { score }
        neighbourhood(classKey: "0", neuronId: "a:0", hops: $hops) { nodes { count } }
        similarClasses(classKey: "0", limit: $limit) { similarity }
        search(text: "a", limit: $limit) { id }
        neuron(id: "a:0") { topClasses(limit: $limit) { count } edges(direction: $dir, limit: $limit) { count }
                            neuron { examples(limit: $limit) { rank } } } } }"""
    nulls = dict.fromkeys(["first", "sort", "minWeight", "k", "mode", "limit", "hops", "dir"])
    m = data(gql(q, nulls))["model"]
    assert [e["node"]["index"] for e in m["classes"]["edges"]] == [0, 1, 2]
    assert len(m["classGraph"]["edges"]) == 3
    assert m["paths"] == [{"score": 11.0}]
    assert len(m["neighbourhood"]["nodes"]) == 2
    assert len(m["neuron"]["neuron"]["examples"]) == 2
    assert len(m["neuron"]["edges"]) == 2

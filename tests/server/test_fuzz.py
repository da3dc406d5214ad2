"""Property-based fuzzing of the GraphQL endpoint: no input gives a 500 or an ``INTERNAL`` error.

Every argument of every field that takes arguments (found by walking the schema from
``Query``, so a new field is fuzzed without editing this file) gets values from
hypothesis: well-formed ones, wrong types, huge numbers, digit strings longer than
Python converts (4,300), other scripts' digits, control characters, injection-shaped
text. Requests go to the real app over the real embedded store holding the tiny
artifact. Raw bodies (random bytes, invalid UTF-8, deep nesting) and GET query
strings are fuzzed too. Every answer must be a 2xx or 4xx whose errors all carry a
code other than ``INTERNAL``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from summit.server.app import create_app
from summit.server.schema import build_schema

from tests.server.conftest import make_settings
from tests.store.tiny import write_tiny_artifact

MODEL = "fuzz-tiny"
EXAMPLES = 80  # per field; the whole module runs in about 10 s

# Arguments that lead to a field's parent: valid values, so the fuzzed field is reached.
PARENT_ARGS: dict[tuple[str, str], dict[str, Any]] = {
    ("Model", "neuron"): {"id": "conv1:0"},
    ("Model", "class"): {"key": "0"},
    ("Model", "classGraph"): {"classKey": "0"},
    ("Model", "neighbourhood"): {"classKey": "0", "neuronId": "conv2:1"},
    ("Model", "paths"): {"classKey": "0", "from": "conv1:0"},
    ("Model", "compare"): {"a": "0", "b": "1"},
    ("Model", "similarClasses"): {"classKey": "0"},
    ("Model", "search"): {"text": "n01"},
    ("Model", "embedding"): {"layer": "fc"},
}

LONG_DIGITS = "9" * 5000
INTERESTING_TEXT = [
    "0", "1", "2", "3", "-1", "+1", " 1 ", "01", "1e3", "0x10", "١", "²", "Ⅻ", "",
    " ", ":", "::", "conv1:0", "conv2:1", "fc:1", "conv1:99", "conv1:-1", "conv1:²", "conv1:", ":0", "a:b:c",
    "n01440764", "tench, Tinca tinca", "fc", "conv1", "all", MODEL, "tiny",
    LONG_DIGITS, "conv1:" + LONG_DIGITS, LONG_DIGITS + ":1", "1" * 4301, "1" * 19,
    "\x00", "é" * 300, "x" * 10_000, "' OR 1=1 //", "`) MATCH (n) DETACH DELETE n //", "$id", "{}",
    base64.urlsafe_b64encode(b"classes:1").decode(), base64.urlsafe_b64encode(f"classes:{LONG_DIGITS}".encode()).decode(),
    base64.urlsafe_b64encode(b"classes:-5").decode(), "Y2xhc3Nlczox", "%%%",
]
INTERESTING_INTS = [0, 1, -1, 2, 5, 20, 1000, 10**6, 2**31 - 1, -(2**31), 2**31, 10**40]


def text_values() -> st.SearchStrategy[Any]:
    lengths = st.one_of(st.integers(min_value=1, max_value=40), st.sampled_from([4300, 4301, 5000, 20_000]))
    digits = lengths.map(lambda n: "8" * n)  # past Python's 4,300-digit limit too
    return st.one_of(
        st.sampled_from(INTERESTING_TEXT),
        st.text(st.characters(exclude_categories=["Cs"]), max_size=40),  # JSON carries no lone surrogates
        digits,
        st.tuples(st.sampled_from(["conv1", "conv2", "fc", "x"]), digits).map(":".join),
        st.from_regex(r"\A[a-z0-9_.]{1,8}:[0-9]{1,40}\Z"),
    )


def int_values() -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(INTERESTING_INTS), st.integers(min_value=-(2**31), max_value=2**31 - 1),
                     st.integers())


def wrong_types() -> st.SearchStrategy[Any]:
    return st.one_of(st.booleans(), st.floats(allow_nan=False, allow_infinity=False), st.lists(st.integers(), max_size=3),
                     st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


def values_for(kind: GraphQLInputType) -> st.SearchStrategy[Any]:
    nullable = not isinstance(kind, GraphQLNonNull)
    named = get_named_type(kind)
    if isinstance(named, GraphQLEnumType):
        base: st.SearchStrategy[Any] = st.one_of(st.sampled_from(sorted(named.values)), text_values())
    elif isinstance(named, GraphQLScalarType) and named.name == "Int":
        base = st.one_of(int_values(), text_values())
    else:
        base = text_values()
    options = [base, base, base, base, wrong_types()]  # mostly well-typed, so execution is reached
    if nullable:
        options.append(st.none())
    return st.one_of(*options)


def type_literal(kind: GraphQLInputType) -> str:
    if isinstance(kind, GraphQLNonNull):
        return f"{type_literal(kind.of_type)}!"
    if isinstance(kind, GraphQLList):
        return f"[{type_literal(kind.of_type)}]"
    return kind.name  # type: ignore[union-attr]


Path = list[tuple[str, str, dict[str, Any]]]  # (type, field, arguments) from Query down to a type


def fields_with_arguments() -> list[tuple[Path, str, str, GraphQLField]]:
    """(path to the owning type, owning type, field name, field) for every field that takes arguments."""
    schema = build_schema()._schema
    query = schema.query_type
    assert query is not None
    found = []
    seen: set[str] = set()
    todo: list[tuple[GraphQLObjectType, Path]] = [(query, [])]
    while todo:
        kind, path = todo.pop(0)
        if kind.name in seen:
            continue
        seen.add(kind.name)
        for name, field in kind.fields.items():
            if field.args:
                found.append((path, kind.name, name, field))
            target = get_named_type(field.type)
            if isinstance(target, GraphQLObjectType) and target.name not in seen:
                required = [a for a, arg in field.args.items() if isinstance(arg.type, GraphQLNonNull)]
                args = PARENT_ARGS.get((kind.name, name), {})
                if all(a in args for a in required):
                    todo.append((target, [*path, (kind.name, name, args)]))
    return found


FIELDS = fields_with_arguments()


def literal(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def document(path: Path, name: str, field: GraphQLField,
             values: dict[str, Any], inline: bool) -> tuple[str, dict[str, Any]]:
    """A query reaching ``name`` through ``path`` with ``values`` (as variables, or inline literals)."""
    declared, variables, args = [], {}, []
    for i, (arg, value) in enumerate(values.items()):
        if inline and isinstance(value, (str, int)) and not isinstance(value, bool):
            args.append(f"{arg}: {literal(value)}")
        else:
            declared.append(f"$v{i}: {type_literal(field.args[arg].type)}")
            variables[f"v{i}"] = value
            args.append(f"{arg}: $v{i}")
    inner = f"{name}{'(' + ', '.join(args) + ')' if args else ''} {{ __typename }}"
    if not isinstance(get_named_type(field.type), GraphQLObjectType):
        inner = inner.replace(" { __typename }", "")
    for _, parent, parent_args in reversed(path):
        given_args = ", ".join(f"{a}: {literal(v)}" for a, v in parent_args.items())
        inner = f"{parent}{'(' + given_args + ')' if given_args else ''} {{ {inner} }}"
    head = f"query Fuzz({', '.join(declared)})" if declared else "query Fuzz"
    return f"{head} {{ {inner} }}", variables


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from summit.store.embedded import EmbeddedStore

    tmp = tmp_path_factory.mktemp("fuzz")
    store = EmbeddedStore(tmp / "store")
    store.load_artifact(str(write_tiny_artifact(tmp / "artifact", run_id=MODEL)))
    with TestClient(create_app(make_settings(), store, web_dir=tmp / "no-web"),
                    raise_server_exceptions=False) as test_client:
        yield test_client
    store.close()


def check(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what}: HTTP {response.status_code} {response.text[:300]}"
    body = response.json()
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code, f"{what}: error without a code: {error}"
        assert code != "INTERNAL", f"{what}: internal error: {error}"
    if response.status_code >= 400:
        assert body.get("errors"), f"{what}: HTTP {response.status_code} without an error body"


def test_the_walk_finds_every_field_with_arguments() -> None:
    names = {f"{owner}.{name}" for _, owner, name, _ in FIELDS}
    for expected in ("Query.model", "Model.classGraph", "Model.neighbourhood", "Model.paths", "Model.compare",
                     "Model.similarClasses", "Model.classes", "Model.class", "Model.neuron", "Model.search",
                     "Model.embedding", "NeuronDetail.edges", "NeuronDetail.topClasses", "Neuron.examples"):
        assert expected in names, sorted(names)
    assert len(FIELDS) >= 14


@pytest.mark.parametrize(("path", "owner", "name", "field"), FIELDS, ids=[f"{o}.{n}" for _, o, n, _ in FIELDS])
def test_no_argument_value_is_an_internal_error(client: TestClient, path: Path, owner: str, name: str,
                                                field: GraphQLField) -> None:
    arguments = {arg: values_for(spec.type) for arg, spec in field.args.items()}
    valid = PARENT_ARGS.get((owner, name), {})
    named: list[dict[str, Any]] = [  # always tried: each text argument with each known-bad value, the rest valid
        {**valid, arg: bad} for arg, spec in field.args.items() if get_named_type(spec.type).name == "String"
        for bad in (LONG_DIGITS, "conv1:" + LONG_DIGITS, "²", "conv1:²", "1" * 19)
    ]

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                     HealthCheck.data_too_large])
    @given(values=st.fixed_dictionaries({}, optional=arguments), inline=st.booleans())
    def probe(values: dict[str, Any], inline: bool) -> None:
        query, variables = document(path, name, field, values, inline)
        check(client.post("/graphql", json={"query": query, "variables": variables}), query[:200])

    for values in named:
        probe = example(values=values, inline=False)(probe)
    probe()


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([
        b'{"query": "{ models { id } }", "x": "\xff\xfe"}', b'{"query": "\xc3\x28"}', b"\xff\xfe\x00{",
        b'{"query": "{ models { id } }", "variables": ' + b"1" * 5000 + b"}",
        b"[" * 100_000 + b"]" * 100_000, b'{"query": 1}', b'{"query": null}', b"[]", b'{"query": "{"}',
        b'{"query": "{ models { id } }", "variables": []}', b'{"query": "{ models { id } }", "operationName": 5}',
    ]),
))
def test_no_request_body_is_a_server_error(client: TestClient, body: bytes) -> None:
    check(client.post("/graphql", content=body, headers={"content-type": "application/json"}), repr(body[:80]))


@settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.one_of(st.binary(max_size=60).map(lambda b: "".join(f"%{x:02X}" for x in b)),
                     st.sampled_from(["%FF", "%C3%28", "%ED%A0%80", "{%20models%20{%20id%20}%20}", "%00"])),
       text=st.text(max_size=60))
def test_no_query_string_is_a_server_error(client: TestClient, raw: str, text: str) -> None:
    for url in (f"/graphql?query={raw}", f"/graphql?query={{models{{id}}}}&variables={raw}"):
        check(client.get(url, headers={"accept": "application/json"}), url[:120])
    for params in ({"query": text}, {"query": "{ models { id } }", "variables": text}):
        check(client.get("/graphql", params=params, headers={"accept": "application/json"}), repr(params)[:120])


def test_known_bad_inputs_are_bad_input(client: TestClient) -> None:
    """The inputs issue 20 found giving INTERNAL or HTTP 500, each checked by name."""
    cases = {
        "classKey": f'{{ model {{ classGraph(classKey: "{LONG_DIGITS}") {{ nodes {{ count }} }} }} }}',
        "neuron id": f'{{ model {{ neuron(id: "conv1:{LONG_DIGITS}") {{ neuron {{ id }} }} }} }}',
        "from": f'{{ model {{ paths(classKey: "0", from: "conv1:{LONG_DIGITS}") {{ score }} }} }}',
        "compare": f'{{ model {{ compare(a: "{LONG_DIGITS}", b: "0") {{ shared {{ countA }} }} }} }}',
        "similarClasses": f'{{ model {{ similarClasses(classKey: "{LONG_DIGITS}") {{ similarity }} }} }}',
        "superscript digit": '{ model { neuron(id: "conv1:²") { neuron { id } } } }',
    }
    for what, query in cases.items():
        response = client.post("/graphql", json={"query": query})
        assert response.status_code == 200, what
        codes = [e["extensions"]["code"] for e in response.json()["errors"]]
        assert codes == ["BAD_INPUT"], (what, response.json())
        assert len(response.text) < 1000, "the message must not repeat 5,000 digits"
    bad_utf8 = client.post("/graphql", content=b'{"query": "{ models { id } }", "x": "\xff"}',
                           headers={"content-type": "application/json"})
    assert bad_utf8.status_code == 400
    assert bad_utf8.json()["errors"][0]["extensions"]["code"] == "BAD_INPUT"
    assert "UTF-8" in bad_utf8.json()["errors"][0]["message"]


def test_fuzzing_reaches_the_store(client: TestClient) -> None:
    """The fuzzed endpoint answers real questions (a broken fixture would make every probe an error)."""
    body = client.post("/graphql", json={"query": '{ model { classGraph(classKey: "0") { edges { weight } } } }'}).json()
    assert len(body["data"]["model"]["classGraph"]["edges"]) == 5

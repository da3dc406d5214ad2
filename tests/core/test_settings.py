import dataclasses
import typing

import pytest

from summit.errors import BadInput
from summit.settings import SETTINGS, SETTINGS_BY_NAME, Settings, markdown_table, resolve


def test_defaults_follow_the_method():
    s = resolve(environ={})
    assert s.activation_mass == 0.01
    assert s.influence_topk == 5
    assert s.damping == 0.85
    assert s.pagerank_iterations == 100
    assert s.graph_activation_mass == 0.03
    assert s.graph_method == "explorer"  # the widest held-out margin over the most active neurons
    assert s.graph_mass == 0.075
    assert resolve({"graph_method": "summit"}, environ={}).graph_mass == 0.1  # Summit's published graphs
    assert s.examples_per_neuron == 10
    assert s.exclude_channels == ()
    assert s.exclude_outliers is True


def test_graph_method_is_a_named_set_of_the_graph_rules():
    from summit.settings import GRAPH_PROFILES, GRAPH_RULES

    for name, profile in GRAPH_PROFILES.items():
        s = resolve({"graph_method": name}, environ={})
        assert s.graph_rules() == profile
        assert set(profile) == set(GRAPH_RULES)
        assert s.graph_rules_changed() == {}
    unified = resolve({"graph_method": "summit-unified"}, environ={})
    assert (unified.graph_counts, unified.graph_cut, unified.graph_mass) == ("graph", "unified", 0.075)
    # one rule changed on top of a profile, from a flag or the environment
    s = resolve({"graph_method": "summit", "graph_mass": 0.2}, environ={})
    assert s.graph_rules_changed() == {"graph_mass": 0.2}
    assert s.graph_cut == "layer"
    s = resolve(environ={"SUMMIT_GRAPH_METHOD": "explorer", "SUMMIT_GRAPH_CUT": "unified"})
    assert (s.graph_method, s.graph_threshold, s.graph_cut) == ("explorer", "count", "unified")
    # replace() keeps earlier changes unless a new profile is named
    assert s.replace(seed=3).graph_cut == "unified"
    assert s.replace(graph_method="summit").graph_rules_changed() == {}


def test_env_then_overrides_take_precedence_and_convert():
    s = resolve({"batch_size": "64"}, environ={"SUMMIT_BATCH_SIZE": "8", "SUMMIT_DEV": "yes"})
    assert s.batch_size == 64
    assert s.dev is True
    s = resolve(environ={"SUMMIT_EXCLUDE_CHANNELS": "a:1, b:2"})
    assert s.exclude_channels == ("a:1", "b:2")


def test_unknown_setting_gets_a_hint():
    with pytest.raises(BadInput, match="did you mean 'graph_mass'"):
        resolve({"graph_mas": 0.1}, environ={})
    with pytest.raises(BadInput, match="SUMMIT_GRAPH_MAS"):
        resolve(environ={"SUMMIT_GRAPH_MAS": "1"})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("batch_size", "lots", "not a valid int"),
        ("batch_size", 0, "minimum"),
        ("graph_mass", 1.5, "maximum"),
        ("store", "postgres", "not one of"),
        ("dev", "maybe", "not a valid bool"),
        ("port", 2.5, "not a valid int"),
    ],
)
def test_bad_values_name_the_setting(name, value, message):
    with pytest.raises(BadInput, match=message) as info:
        resolve({name: value}, environ={})
    assert name in str(info.value)


def test_settings_are_immutable_and_grouped():
    s = resolve(environ={})
    method = s.group("method")
    assert set(method) == {x.name for x in SETTINGS if x.group == "method"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.batch_size = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        _ = s.nope  # type: ignore[attr-defined]
    assert s.replace(batch_size=3).batch_size == 3
    assert s.batch_size == SETTINGS_BY_NAME["batch_size"].default


def test_markdown_table_lists_every_setting():
    table = markdown_table()
    for setting in SETTINGS:
        assert f"`{setting.name}`" in table
        assert setting.env_var in table


def test_settings_are_typed_by_their_declaration():
    """The dataclass is the one declaration: SETTINGS' types come from its annotations."""
    hints = typing.get_type_hints(Settings)
    for setting in SETTINGS:
        hint = hints[setting.name]
        assert setting.type is (typing.get_origin(hint) or hint)
        assert isinstance(getattr(resolve(environ={}), setting.name), setting.type)
    assert SETTINGS_BY_NAME["batch_size"].type is int
    assert SETTINGS_BY_NAME["exclude_channels"].type is tuple


def test_direct_construction_is_checked_too():
    with pytest.raises(BadInput, match="batch_size"):
        Settings(batch_size=0)
    assert Settings(batch_size="7").batch_size == 7  # type: ignore[arg-type]

import pytest

from summit.errors import BadInput
from summit.ids import neuron_id, neuron_ids, parse_neuron_id


def test_neuron_id_round_trip_with_dotted_module_paths():
    assert neuron_id("blocks.3.1", 7) == "blocks.3.1:7"
    assert parse_neuron_id("blocks.3.1:7") == ("blocks.3.1", 7)
    assert parse_neuron_id(neuron_id("inception4d", 409)) == ("inception4d", 409)


def test_neuron_ids_cover_every_channel_in_order():
    assert neuron_ids("conv", 3) == ["conv:0", "conv:1", "conv:2"]


@pytest.mark.parametrize("bad", ["", "conv", "conv:", ":3", "conv:-1", "conv:x", "conv:1.5"])
def test_malformed_ids_are_bad_input(bad):
    with pytest.raises(BadInput, match="not a neuron id"):
        parse_neuron_id(bad)


@pytest.mark.parametrize(("layer", "channel"), [("", 0), ("a:b", 0), ("conv", -1)])
def test_invalid_parts_are_rejected(layer, channel):
    with pytest.raises(BadInput):
        neuron_id(layer, channel)

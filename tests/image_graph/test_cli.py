"""The command line: torch only when image graphs are on; --allow-upload implies them; bad folders are clear."""

from __future__ import annotations

import subprocess
import sys

import pytest

from summit.cli import main

PROBE = """
import sys
from summit.cli.image_graph_options import image_graphs_for
from summit.settings import resolve
import summit.server.app, summit.server.runner, summit.cli.commands.serve, summit.cli.commands.demo
off = image_graphs_for(resolve(environ={}))
print(off is None, 'torch' in sys.modules)
on = image_graphs_for(resolve({'allow_upload': True}, environ={}))
print(type(on).__name__, 'torch' in sys.modules)
"""


def test_the_network_is_loaded_only_when_the_feature_is_on() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "False", "ArtifactImageGraphs", "True"]


def test_a_missing_image_root_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["serve", "--image-graphs", "--image-root", "/no/such/images"])
    out = capsys.readouterr()
    assert code == 2
    assert "image root /no/such/images is not a folder" in out.err
    assert "Traceback" not in out.err

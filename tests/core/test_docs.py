"""The README stays true to the code: settings table, commands, the two set-up commands."""

import re
from pathlib import Path

from summit.cli import COMMANDS
from summit.settings import markdown_table

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_settings_table_is_generated_from_the_declarations():
    match = re.search(r"<!-- settings:start -->\n(.*?)\n<!-- settings:end -->", README, re.S)
    assert match, "README lacks the settings markers"
    assert match.group(1).strip() == markdown_table().strip(), "run `summit settings --markdown` into README"


def test_every_command_is_documented():
    for name in COMMANDS:
        assert f"summit {name}" in README, f"README does not mention `summit {name}`"


def test_method_differences_are_documented():
    method = (Path(__file__).resolve().parents[2] / "docs" / "method.md").read_text()
    assert "Differences from the published Summit" in method
    assert "docs/method.md" in README

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


def test_architecture_page_is_linked_and_names_real_files():
    root = Path(__file__).resolve().parents[2]
    assert "docs/architecture.md" in README
    page = (root / "docs" / "architecture.md").read_text()
    named = re.findall(r"`((?:summit|server|ingest|tests|scripts|web)/[\w./-]+\.(?:py|md|ts|graphql))`", page)
    assert len(named) >= 20
    for path in named:
        assert (root / path).is_file(), f"docs/architecture.md names {path}, which does not exist"

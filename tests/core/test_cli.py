import pytest

from summit.cli import COMMANDS, build_parser, main


def test_every_command_has_help(capsys):
    parser = build_parser()
    help_text = parser.format_help()
    for name in COMMANDS:
        assert name in help_text


def test_settings_command_prints_table(capsys):
    assert main(["settings", "--markdown"]) == 0
    out = capsys.readouterr().out
    assert "| `graph_mass` |" in out


def test_unknown_command_exits_with_usage_error():
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2


def test_demo_finds_the_bundled_images() -> None:
    from summit.cli.commands.demo import bundled_images

    assert (bundled_images() / "dataset.txt").is_file()

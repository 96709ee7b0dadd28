"""The helpers the adapters share (config.py, files.py, engine/bom.py), on their own; the adapters'
tests cover them through flake8, the command, the codemod and the language server."""

from __future__ import annotations

from pathlib import Path

import pytest

from flake8_asyncloop.config import ConfigError, Settings, SettingsFinder, option_codes, split_list
from flake8_asyncloop.engine.bom import bom_of, without_bom
from flake8_asyncloop.engine.versions import parse_target_versions
from flake8_asyncloop.files import SourceError, Task, engine_text
from flake8_asyncloop.rules import ALL_RULES


def test_split_list_takes_commas_spaces_or_both() -> None:
    assert split_list("ELP100,ELP101 ELP102, ,ELP103") == ["ELP100", "ELP101", "ELP102", "ELP103"]
    assert split_list(" , ") == []


def test_option_codes_not_given_leave_the_configuration_alone() -> None:
    assert option_codes(None, "--select") is None
    assert option_codes([], "--select") == ()  # given, and empty: select everything


@pytest.mark.parametrize("codes", ["elp1, ELP900", ["elp1", " ELP900 "]])
def test_option_codes_from_a_string_or_a_list(codes: str | list[str]) -> None:
    assert option_codes(codes, "select") == ("ELP1", "ELP900")


def test_option_codes_name_the_option_of_an_unknown_code() -> None:
    with pytest.raises(ConfigError, match=r"^--ignore: unknown rule code 'E501'"):
        option_codes(["E501"], "--ignore")


def test_options_given_win_over_the_configuration() -> None:
    configured = Settings(select=("ELP1",), ignore=("ELP101",), target_version=">=3.8", exclude=("x",))
    assert configured.overridden_by() == configured
    merged = configured.overridden_by(select=(), ignore=("ELP102",), target_version=">=3.12", unsafe_fixes=True)
    assert merged == Settings((), ("ELP102",), ">=3.12", ("x",), True)


def test_selected_rules_are_selected_and_not_ignored_in_order() -> None:
    codes = Settings(select=("ELP10",), ignore=("ELP101", "ELP9")).selected_codes()
    assert list(codes) == [rule.code for rule in ALL_RULES if rule.code != "ELP101"]
    assert Settings(select=("ELP900",)).selected_codes() == ()  # ELP900 is not a rule


def test_for_file_resolves_the_targets_from_the_file_unless_set(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nrequires-python = ">=3.12"\n')
    checked = str(tmp_path / "module.py")
    assert Settings().for_file(checked).targets == parse_target_versions(">=3.12")
    assert Settings(target_version=">=3.8").for_file(checked).targets == parse_target_versions(">=3.8")


def test_for_file_without_a_path_reads_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nrequires-python = ">=3.13"\n')
    monkeypatch.chdir(tmp_path)
    assert Settings().for_file(None).targets == parse_target_versions(">=3.13")


def test_for_file_carries_the_rules_fixes_and_internal_errors() -> None:
    settings = Settings(select=("ELP104",), unsafe_fixes=True).for_file("module.py")
    assert ([rule.code for rule in settings.rules], settings.unsafe_fixes) == (["ELP104"], True)
    assert not settings.show_internal_errors
    assert Settings(ignore=("ELP104",)).for_file("module.py").show_internal_errors


def test_a_file_gets_the_nearest_table_above_it(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.flake8-asyncloop]\nselect = "ELP101, ELP102"\n')
    (tmp_path / "package").mkdir()
    (tmp_path / "package" / "pyproject.toml").write_text('[project]\nname = "no-table-here"\n')
    expected = Settings(select=("ELP101", "ELP102"), root=str(tmp_path))
    assert SettingsFinder().for_path(str(tmp_path / "package" / "module.py")) == expected


def test_nothing_configured_are_the_defaults(tmp_path: Path) -> None:
    assert SettingsFinder().for_path(str(tmp_path / "module.py")) == Settings()


def test_engine_text_is_decoded_without_the_bom(tmp_path: Path) -> None:
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbfx = 1\r\n")
    (tmp_path / "latin.py").write_bytes("# coding: latin-1\ns = 'é'\n".encode("latin-1"))
    assert engine_text(Task(str(tmp_path / "bom.py"), "check", Settings())) == "x = 1\r\n"
    assert engine_text(Task(str(tmp_path / "latin.py"), "check", Settings())) == "# coding: latin-1\ns = 'é'\n"
    assert engine_text(Task("-", "check", Settings(), data=b"\xef\xbb\xbfy = 2\n")) == "y = 2\n"


def test_engine_text_of_a_file_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        engine_text(Task(str(tmp_path / "gone.py"), "check", Settings()))
    (tmp_path / "binary.py").write_bytes(b"\x00\x01")
    with pytest.raises(SourceError):
        engine_text(Task(str(tmp_path / "binary.py"), "check", Settings()))


def test_each_file_its_own_table_standard_input_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.flake8-asyncloop]\nignore = ["ELP108"]\n')
    for package in ("a", "b"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "pyproject.toml").write_text('[tool.flake8-asyncloop]\nselect = ["ELP1"]\n')
    finder = SettingsFinder(ignore=("ELP104",))
    for package in ("a", "b"):
        expected = Settings(select=("ELP1",), ignore=("ELP104",), root=str(tmp_path / package))
        assert finder.for_path(str(tmp_path / package / "m.py")) == expected
    monkeypatch.chdir(tmp_path)
    assert finder.for_path("-") == finder.for_path(None) == Settings(ignore=("ELP104",), root=str(tmp_path))


@pytest.mark.parametrize(
    ("text", "body", "mark"),
    [
        ("\ufeffx = 1\n", "x = 1\n", "\ufeff"),
        ("x = 1\n", "x = 1\n", ""),
        ("\ufeff\ufeff", "\ufeff", "\ufeff"),  # one mark is the file's; a second is its text
        ("", "", ""),
    ],
)
def test_the_bom_goes_and_comes_back(text: str, body: str, mark: str) -> None:
    assert (without_bom(text), bom_of(text)) == (body, mark)
    assert bom_of(text) + without_bom(text) == text

"""The helpers the adapters share (config.py, files.py, engine/bom.py), on their own; the adapters'
tests cover them through flake8, the command, the codemod and the language server."""

from __future__ import annotations

import pytest

from flake8_asyncloop.config import ConfigError, option_codes, split_list


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

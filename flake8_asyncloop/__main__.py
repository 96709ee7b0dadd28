from flake8_asyncloop.cli import run

run()

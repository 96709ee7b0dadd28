from flake8_asyncloop.cli import run

if __name__ == "__main__":
    run()

import os

# Every flake8 this suite starts (and the plugin imported in-process) re-raises engine errors
# instead of logging them, so a bug fails a test rather than hiding as "no diagnostics".
os.environ["FLAKE8_ASYNCLOOP_RAISE_INTERNAL_ERRORS"] = "1"

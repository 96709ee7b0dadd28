"""flake8-asyncloop: find asyncio event-loop misuse, and rewrite it to the recipe."""

__version__ = "0.1.0"

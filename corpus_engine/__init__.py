"""corpus_engine: clean, deduplicated Chinese text from Common Crawl."""

from .batch import TextBatch

__version__ = "0.1.0"
__all__ = ["TextBatch", "__version__"]

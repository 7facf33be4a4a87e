"""diploma-exchange: issue, exchange and verify digitally signed university diplomas."""

__version__ = "0.1.0"

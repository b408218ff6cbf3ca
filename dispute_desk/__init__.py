"""Dispute Desk's core: retrieval and grounded answering. Never imports discord."""

__version__ = "0.1.0"

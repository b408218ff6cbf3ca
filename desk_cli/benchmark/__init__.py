"""`bot.py bench`'s measurements, on the CLI side of the layers: they drive both ``ingest`` and the core.

- ``speed``: warm query latency, ingest throughput against the encoder alone, unchanged re-ingest, encode speed.
- ``load``: many concurrent questions through the core (throughput, percentiles, event-loop stalls).
- ``scale``: load time and memory of a generated index of many chunks.
- ``forum``: a generated Discourse export of tens of thousands of posts, ingested twice and answered from.
"""

"""Format readers: one file's bytes or text in, one ``ParsedDocument`` out, or ``UnreadableSource``.

Pick a reader through ``ingest.reader.read_source``; this package's ``__init__`` imports nothing, so a reader
importing a sibling (``from ingest.formats import forum_text``) never runs the dispatch code.
"""

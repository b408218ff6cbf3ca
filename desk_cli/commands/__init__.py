"""One module per CLI command; each exposes ``register(subparsers)`` and sets ``handler`` on its parser.

Handlers take ``(args, settings, console)`` and return the process exit code.
"""

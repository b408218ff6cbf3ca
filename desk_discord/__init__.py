"""Dispute Desk's Discord front end: a thin discord.py layer over the ``dispute_desk`` core.

Start it with ``desk_discord.runner.run(settings)``; features live in extensions under ``desk_discord.exts``.
"""

"""Dispute Desk entry point: `python bot.py <command>` (ask, chat, ingest, eval, bench, run, ...).

Wiring only: the commands live in desk_cli/, the answering core in dispute_desk/, ingestion in ingest/,
and the Discord front end in desk_discord/.
"""

import sys

from desk_cli.app import main

if __name__ == "__main__":
    sys.exit(main())

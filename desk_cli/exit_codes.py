"""Process exit codes, documented in the README."""

OK = 0
USAGE = 1  # bad arguments or input the command cannot use
NO_INDEX = 2  # no index yet, or it cannot be used (built for another model, damaged, its server unreachable)
PARTIAL = 3  # ingest finished but some files could not be read (use --keep-going to return 0)
BUSY = 4  # another ingest is running
CONFIG = 5  # broken configuration: an invalid setting, unusable data dir, missing model, token or rules

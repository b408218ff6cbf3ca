"""The terminal front end: `python bot.py <command>`. Thin: parses arguments, calls the core, prints."""

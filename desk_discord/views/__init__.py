"""Views and persistent buttons that more than one extension attaches to its messages.

An extension never imports another extension (checked by import-linter): what two features share lives
here or in the other modules of ``desk_discord``. A button hands its click to the cog that owns the feature,
looked up by name at click time, so loading or unloading that extension needs no import.

- ``answer``: 👍 👎, "Show sources" and "Ask a moderator" under every answer (handled by the Feedback cog).
- ``protection_offer``: "Start the protection check" (handled by the Protection cog).
"""

"""The plugin's settings, typed, in one place: ``plugins: - livenotes: {...}`` in mkdocs.yml.

The command line (``python -m livenotes``) reads the same block, so the build and ``make check`` agree. An
environment variable is only where a process boundary needs one (the reader's fetch command, say); mkdocs.yml may
still take a setting from the environment with MkDocs' own ``!ENV`` tag (``execute: !ENV [LIVENOTES_EXECUTE,
true]``).
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c


class Settings(base.Config):
    """What a site sets for the engine."""

    site = c.Type(str, default="")  # the site layer's module, which defines SITE = livenotes.Site(...)
    execute = c.Type(bool, default=True)  # false: pages show code only (a fast look at the prose)
    cache = c.Type(bool, default=True)  # false: every snippet runs again
    notebooks = c.Type(bool, default=False)  # each chapter also as a generated notebook, rendered as a page
    glossary = c.Optional(c.Type(str))  # the glossary page (docs-relative): its terms are linked on every page
    threads = c.Type(int, default=2)  # the numeric libraries' threads: how a reduction is split, so the last bits
    lanes = c.Type(int, default=0)  # workers evaluating side by side in a build (0: lanes.default_lanes())
    serve_wait = c.Type((int, float), default=3)  # seconds a serve rebuild waits before showing outputs as pending


PLUGIN = "livenotes"


def load_settings(config_file: Path) -> Settings:
    """The ``livenotes`` block of a mkdocs.yml, validated as MkDocs validates it (defaults where it has none)."""
    from mkdocs.config import load_config

    config = load_config(str(config_file))
    plugin = config.plugins.get(PLUGIN)
    if plugin is None:
        settings = Settings()
        settings.load_dict({})
        settings.validate()
        return settings
    loaded: Settings = plugin.config
    return loaded

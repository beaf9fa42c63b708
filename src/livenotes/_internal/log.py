"""One logger for the engine, under ``mkdocs`` so that ``mkdocs build --strict`` counts its warnings."""

import logging

log = logging.getLogger("mkdocs.plugins.livenotes")

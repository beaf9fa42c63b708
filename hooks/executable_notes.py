"""MkDocs hook: binds MkDocs' events to the livenotes build (src/livenotes), with this site's notebook set-up."""

from __future__ import annotations

from notes_site import (
    BUNDLE,
    setup_cells,
)  # beside this file: MkDocs puts the hook's folder on sys.path while loading it

from livenotes import LiveNotesBuild

# mkdocs serve keeps this module (and so the warm worker) between rebuilds; on_config resets per-build state
_build = LiveNotesBuild(site_setup=setup_cells, bundle=BUNDLE)

on_startup = _build.on_startup
on_config = _build.on_config
on_files = _build.on_files
on_serve = _build.on_serve
on_pre_page = _build.on_pre_page
on_page_markdown = _build.on_page_markdown
on_page_content = _build.on_page_content
on_post_page = _build.on_post_page
on_post_build = _build.on_post_build
on_shutdown = _build.on_shutdown
on_env = _build.on_env

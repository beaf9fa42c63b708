"""MkDocs hook: a thin adapter from MkDocs events to the livenotes engine (see src/livenotes)."""

from __future__ import annotations

from typing import Any

from mkdocs.plugins import event_priority

from livenotes import LiveNotesBuild, NotebookPages

# mkdocs serve keeps this module (and so the warm worker) between rebuilds; on_config resets per-build state
_build = LiveNotesBuild()


def on_config(config: Any) -> None:
    _build.on_config(config)
    NotebookPages.of(config).configure(config)


@event_priority(50)  # before mkdocs-jupyter's on_files, so it renders the notebooks this adds
def on_files(files: Any, config: Any) -> Any:
    return _build.on_files(files, config)


@event_priority(-50)  # after mkdocs-jupyter's on_pre_page, which gives notebook pages their render()
def on_pre_page(page: Any, config: Any, files: Any) -> Any:
    if NotebookPages.is_notebook_page(page.file.src_uri):
        NotebookPages.of(config).render_in_turn(page)
    return page


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if NotebookPages.is_notebook_page(page.file.src_uri):
        # its "markdown" is the notebook's JSON, which mkdocs-jupyter renders instead: nothing to replace in it
        NotebookPages.exclude_from_search(page)
        return markdown
    return _build.on_page_markdown(markdown, page.file.src_uri, page.url)


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    return _build.on_page_content(html)


def on_post_build(config: Any) -> None:
    _build.on_post_build(config.site_dir)
    NotebookPages.of(config).evict()


def on_shutdown() -> None:
    _build.on_shutdown()


def on_env(env: Any, config: Any, files: Any) -> Any:
    return NotebookPages.of(config).with_template_cache(env)

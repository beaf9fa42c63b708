"""This book's own layer: what the engine (livenotes) is told about *these* notes, each thing declared once.

- ``runtime``: how the snippets run in the worker (torch and transformers, the kernels, seeds, the checkpoint guard);
- ``texts``: the Japanese of the engine's parts of a page;
- ``bundle``: what downloads/ publishes and the 「手元で動かすには」 box (``{% run_locally %}``);
- ``try_it``: the 「自分で試す」 box (``{% try_it "name" %}``);
- ``views``: the attention, next-token and numbers views (``{% attention_view %}``, ``{% next_token_view %}``,
  ``{% numbers_view %}``);
- ``notebook_setup``: a chapter notebook's first cells.

mkdocs.yml names this package in the ``livenotes`` plugin's ``site:`` setting.
"""

from __future__ import annotations

from livenotes import Site
from notes_site.bundle import BUNDLE, RUN_LOCALLY
from notes_site.notebook_setup import setup_cells
from notes_site.texts import TEXTS
from notes_site.try_it import TRY_IT
from notes_site.views import ATTENTION_VIEW, NEXT_TOKEN_VIEW, NUMBERS_VIEW

# the libraries whose versions the pages show (under each output, and in downloads/manifest.json)
LIBRARIES = ("torch", "transformers", "tokenizers", "safetensors", "numpy", "matplotlib", "scikit-learn")

SITE = Site(
    runtime="notes_site.runtime",
    texts=TEXTS,
    libraries=LIBRARIES,
    bundle=BUNDLE,
    notebook_setup=setup_cells,
    directives=(TRY_IT, RUN_LOCALLY, ATTENTION_VIEW, NEXT_TOKEN_VIEW, NUMBERS_VIEW),
)

# Two commands for a newcomer: `make serve` (the site) and `make test` (everything checked).
# Each installs what it needs first (scripts/setup.sh is idempotent).
export NO_MKDOCS_2_WARNING := 1
VENV := .venv/bin

.PHONY: setup setup-browser serve build plain-build test test-fast approve check check-emulated lint bench clean

setup:
	@scripts/setup.sh

setup-browser:
	@scripts/setup.sh --browser

serve: setup  ## serve the site on http://127.0.0.1:8000/hf-course-notes/ (site_url's path) and rebuild on every edit
	$(VENV)/mkdocs serve

build: setup  ## build the site into site/ (fails on any failing or drifted snippet)
	$(VENV)/mkdocs build --strict

test: setup-browser  ## every snippet against its approved output, the strict build, the browser checks
	$(VENV)/ruff check src tests bench
	node --test tests/js/
	$(VENV)/python -m pytest --durations=15

test-fast: setup  ## the author's tier: what needs neither the trained checkpoints nor a browser (about 1.5 minutes)
	$(VENV)/ruff check src tests bench
	node --test tests/js/
	$(VENV)/python -m pytest -m "not trained and not browser" --durations=5

approve: setup  ## rewrite approved/ from a real run where it no longer matches; review `git diff approved/`
	$(VENV)/python -m livenotes approve

# KERNELS=default computes as a CPU without AVX2 would; EMULATE=max runs the worker under qemu-x86_64 -cpu max (AVX2,
# no AVX-512 or VNNI): what another CPU prints (src/livenotes/_internal/runtime.py)
check: setup  ## compare every snippet with its approved output (KERNELS=avx2|default|native, EMULATE=<qemu CPU>)
	$(VENV)/python -m livenotes check $(if $(KERNELS),--kernels $(KERNELS)) $(if $(EMULATE),--emulate $(EMULATE))

check-emulated: setup  ## every snippet that trains nothing, on an emulated CPU without AVX-512 or VNNI (after make build)
	$(VENV)/python bench/emulated_check.py

lint: setup
	$(VENV)/ruff check src tests bench
	$(VENV)/ruff format --check src tests bench

bench: setup-browser  ## builds, the serve edit loop, search candidates, 自分で試す timings, printed as numbers
	$(VENV)/python bench/benchmark.py
	$(VENV)/python bench/search_candidates.py
	$(VENV)/python bench/try_it_timing.py
	$(VENV)/python bench/views_timing.py
	$(VENV)/python bench/page_weight.py
	$(VENV)/python bench/page_length.py

clean:
	rm -rf site .cache

# bnsearch: `make demo` sets everything up and runs a search; `make test` runs the
# fast suite, `make test-all` every test (the shared corpus, pseudo-terminals).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared
# What the full suite needs besides Python (defined before the rules that use them):
# axe-core for the page's accessibility tests, the OpenSearch test launcher.
AXE_VERSION := 4.14.1
AXE := .cache/axe-core-$(AXE_VERSION)/axe.min.js
OPENSEARCH_NODE := tools/opensearch-node/target/lib/.complete

.PHONY: demo test test-all lint format bench clean system axe screenshots opensearch-node

# The demo has an index of its own: a user's index/ is never touched.
DEMO_INDEX ?= demo-index

demo: $(STAMP)
	$(BIN)/bnsearch index --index $(DEMO_INDEX) corpus/
	$(BIN)/bnsearch search --index $(DEMO_INDEX) --sections "কাতারের দূতাবাস"

# The fast suite runs on every core (pytest-xdist); the full one in order.
test: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -n auto

test-all: $(STAMP) $(AXE) $(OPENSEARCH_NODE)
	$(BIN)/python -m pytest

# axe-core, for the page's accessibility tests (tests/test_browser.py): the
# script alone, from npm, kept in .cache.
axe: $(AXE)
$(AXE):
	@command -v npm >/dev/null 2>&1 || { echo "the page's accessibility tests need npm for axe-core: apt-get install npm"; exit 1; }
	mkdir -p $(dir $(AXE))
	cd $(dir $(AXE)) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null \
		&& tar xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js package/LICENSE \
		&& mv package/axe.min.js package/LICENSE . && rm -rf package axe-core-$(AXE_VERSION).tgz

# A real OpenSearch node for the tests of the OpenSearch backend
# (tests/test_opensearch.py): OpenSearch 2.19 from Maven Central and a small
# launcher (tools/opensearch-node), built once into its target/ folder.
opensearch-node: $(OPENSEARCH_NODE)
$(OPENSEARCH_NODE): tools/opensearch-node/pom.xml tools/opensearch-node/src/main/java/bnsearch/opensearch/NodeLauncher.java
	@command -v mvn >/dev/null 2>&1 || { echo "the OpenSearch tests need Maven and Java 17: apt-get install maven openjdk-17-jdk-headless"; exit 1; }
	cd tools/opensearch-node && mvn -q -B -DskipTests package
	touch $@

# The page's screenshots in docs/ (desktop and phone, light and dark).
screenshots: $(STAMP)
	$(BIN)/python tools/screenshots.py docs

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python bench/analysis.py
	$(BIN)/python bench/index.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/hostile.py
	$(BIN)/python bench/ranking.py

system:
	@PYTHON=$(PYTHON) sh tools/check-system.sh

$(STAMP): setup.cfg pyproject.toml | system
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

clean:
	rm -rf $(VENV) $(DEMO_INDEX) build *.egg-info .pytest_cache .ruff_cache .hypothesis

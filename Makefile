# Two commands do all the set-up: `make demo` and `make test` (see README.md).
PYTHON ?= $(shell pyenv which python3.12 2>/dev/null || ls -d /root/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | head -n 1 || command -v python3.12)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The demo's port; e-mailed links (SITE_URL) follow it: `make demo PORT=8001`.
PORT ?= 8000

.PHONY: demo test install lint serve-multi clean

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (pyenv install 3.12)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

demo: install
	@mkdir -p var
	@$(PY) manage.py migrate --noinput >/dev/null
	@PORT=$(PORT) $(PY) manage.py seed_demo
	@PORT=$(PORT) $(VENV)/bin/daphne -b 127.0.0.1 -p $(PORT) confide.asgi:application

test: install
	@mkdir -p var
	$(PY) manage.py makemigrations --check --dry-run >/dev/null
	$(VENV)/bin/ruff check --quiet .
	$(VENV)/bin/pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

serve-multi: install
	bin/serve-multi

clean:
	rm -rf var/test*.sqlite3 .pytest_cache

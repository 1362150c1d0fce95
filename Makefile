# Sachstand — development commands. `make run` and `make test` are all a new machine needs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-fast lint format migrations-check install lock demo-data clean bench

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Installs exactly the versions CI tested (runtime and dev locks), then the project itself.
$(STAMP): $(BIN)/python requirements.lock requirements-dev.lock pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo-data: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_seed --if-empty
	$(BIN)/python manage.py create_demo_accounts
	$(BIN)/python manage.py create_demo_round

run: demo-data
	@echo "Sachstand: http://127.0.0.1:8000  (admin / editor1 / editor2 / committee, password: demo)"
	@echo "Public site (no login): http://127.0.0.1:8000/oeffentlich/"
	$(BIN)/honcho -f Procfile.dev start

# PYTEST_ARGS selects, e.g. `make test PYTEST_ARGS="-m production"` (the production smoke test).
test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# Re-pin both locks from a fresh resolution of pyproject.toml's ranges: the runtime lock from
# the plain install, the dev lock with what the `dev` extra adds on top.
lock:
	rm -rf /tmp/sachstand-lock && $(PYTHON) -m venv /tmp/sachstand-lock
	/tmp/sachstand-lock/bin/pip install --quiet --upgrade pip
	/tmp/sachstand-lock/bin/pip install --quiet -e .
	{ echo "# Runtime dependencies pinned as CI tested them; the production image installs only these."; \
	  echo "# Re-pin with \`make lock\`."; \
	  /tmp/sachstand-lock/bin/pip freeze --exclude-editable | grep -v '^sachstand'; } > requirements.lock
	/tmp/sachstand-lock/bin/pip install --quiet -c requirements.lock -e ".[dev]"
	{ echo "# Development and test tools, on top of requirements.lock. Re-pin with \`make lock\`."; \
	  echo "-r requirements.lock"; \
	  /tmp/sachstand-lock/bin/pip freeze --exclude-editable | grep -v '^sachstand' \
	    | grep -vxFf requirements.lock; } > requirements-dev.lock

clean:
	rm -rf $(VENV) var db.sqlite3 media staticfiles

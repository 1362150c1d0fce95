# Sachstand — development commands. `make run` and `make test` are all a new machine needs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-fast lint format migrations-check install lock demo-data clean bench

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Installs exactly the versions CI tested (requirements.lock), then the project itself.
$(STAMP): $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo-data: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_seed --if-empty
	$(BIN)/python manage.py create_demo_accounts

run: demo-data
	@echo "Sachstand: http://127.0.0.1:8000  (admin / editor1 / editor2 / committee, password: demo)"
	$(BIN)/honcho -f Procfile.dev start

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# Re-pin requirements.lock from a fresh resolution of pyproject.toml's ranges.
lock:
	rm -rf /tmp/sachstand-lock && $(PYTHON) -m venv /tmp/sachstand-lock
	/tmp/sachstand-lock/bin/pip install --quiet --upgrade pip
	/tmp/sachstand-lock/bin/pip install --quiet -e ".[dev]"
	/tmp/sachstand-lock/bin/pip freeze --exclude-editable | grep -v '^sachstand' > requirements.lock

clean:
	rm -rf $(VENV) var db.sqlite3 media staticfiles

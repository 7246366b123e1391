# Every target creates .venv and installs admodes with its extras on first use.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
THREADS := OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 MKL_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE
# The tests run in two worker processes, one per core, each with one BLAS thread; a worker
# that runs out of tests takes some of the other's (a few tests take most of a minute).
# JAX compiles every reference program it runs eagerly, which is most of the suite's time: the
# tests keep the compiled programs in .cache/jax, so a second run loads them (about half the
# time). Only the tests use it: the experiments and benchmarks time jit's first call, compile
# included, and turn any persistent cache off.
JAX_CACHE := JAX_COMPILATION_CACHE_DIR=$(CURDIR)/.cache/jax \
	JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS=0 JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES=-1
TEST_ENV := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(JAX_CACHE)
WORKERS := -n 2 --dist worksteal

.PHONY: test test-fast bench lint experiments experiments-quick clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[dev,jax,experiments,peers,scipy]'
	touch $(STAMP)

test: $(STAMP)
	$(TEST_ENV) $(PY) -m pytest -q $(WORKERS)

# The inner loop: the suite without the tests marked slow.
test-fast: $(STAMP)
	$(TEST_ENV) $(PY) -m pytest -q $(WORKERS) -m "not slow"

bench: $(STAMP)
	$(THREADS) $(PY) -m pytest -q tests/bench -o python_files='bench_*.py' \
		--benchmark-columns=median,iqr,rounds --benchmark-sort=name
	$(THREADS) $(PY) -m tests.bench.interleaved

lint: $(STAMP)
	$(PY) -m ruff check admodes experiments tests
	$(PY) -m ruff format --check admodes experiments tests

experiments: $(STAMP)
	$(THREADS) $(PY) -m experiments --out results

experiments-quick: $(STAMP)
	$(THREADS) $(PY) -m experiments --quick --out /tmp/admodes-quick

clean:
	rm -rf $(VENV) .pytest_cache .benchmarks .cache

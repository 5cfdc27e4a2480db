#!/usr/bin/env bash
# Run sdistguard's test suite at the oldest and the newest supported hatchling.
#
#   bash tests/compat/matrix.sh                    # hatchling 1.27.0 and 1.33.0
#   bash tests/compat/matrix.sh 1.30.1             # any versions you name
#   CORPUS=1 bash tests/compat/matrix.sh           # also the real-project corpus (network, ~25 s each)
#   SUITE=0 bash tests/compat/matrix.sh            # skip hatchling's own builder suite
#   PYTEST_ARGS="-x -q" bash tests/compat/matrix.sh
#   PINS="pathspec==0.10.1" bash tests/compat/matrix.sh 1.27.0   # extra requirements pinned in the venv
#
# Per version: a venv in the cache made with `uv venv`, sdistguard installed editable with its
# test extra and hatchling pinned, then
#   1. the project's tests:          python -m pytest tests
#   2. hatchling's own builder tests with sdistguard's builders (tests/compat/hatchling_suite.py)
#   3. (CORPUS=1) the corpus:         python -m pytest -m corpus tests/compat
# Needs uv on PATH (it is in the test extra) and PyPI. Exit status: non-zero if any step failed.
# The cache is $SDISTGUARD_COMPAT_CACHE or ~/.cache/sdistguard-compat (outside the repository).
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${SDISTGUARD_COMPAT_CACHE:-$HOME/.cache/sdistguard-compat}"
python="${PYTHON:-python3}"
suite="${SUITE:-1}"
corpus="${CORPUS:-0}"
read -r -a pytest_args <<< "${PYTEST_ARGS:--q}"
read -r -a pins <<< "${PINS:-}"
markers="${PYTEST_MARKERS:-}"   # a marker expression, e.g. "not e2e and not network"
if [ -n "$markers" ]; then pytest_args+=(-m "$markers"); fi
if [ "$#" -gt 0 ]; then versions=("$@"); else versions=(1.27.0 1.33.0); fi
uv="$(command -v uv || true)"
if [ -z "$uv" ]; then echo "matrix.sh: uv not found on PATH (pip install uv)" >&2; exit 2; fi

failed=()
for version in "${versions[@]}"; do
    venv="$cache/matrix-venv-hatchling-$version"
    py="$venv/bin/python"
    echo "=== hatchling $version ${PINS:+$PINS }($venv)"
    start=$SECONDS
    if ! { "$uv" venv -q --seed --clear --python "$python" "$venv" \
           && VIRTUAL_ENV= "$uv" pip install -q --python "$py" -e "$repo[test]" "hatchling==$version" ${pins[@]+"${pins[@]}"}; }; then
        failed+=("$version:install"); continue
    fi
    got="$("$py" -c 'from importlib.metadata import version; print(version("hatchling"))')"
    if [ "$got" != "$version" ]; then echo "expected hatchling $version, got $got" >&2; failed+=("$version:pin"); continue; fi

    (cd "$repo" && env -u VIRTUAL_ENV PATH="$venv/bin:$PATH" "$py" -m pytest -p no:cacheprovider "${pytest_args[@]}" tests) \
        || failed+=("$version:tests")
    if [ "$suite" = 1 ]; then
        (cd "$repo" && env -u VIRTUAL_ENV PATH="$venv/bin:$PATH" "$py" tests/compat/hatchling_suite.py --hatchling "$version") \
            || failed+=("$version:hatchling-suite")
    fi
    if [ "$corpus" = 1 ]; then
        (cd "$repo" && env -u VIRTUAL_ENV PATH="$venv/bin:$PATH" "$py" -m pytest -p no:cacheprovider "${pytest_args[@]}" -m corpus tests/compat) \
            || failed+=("$version:corpus")
    fi
    echo "=== hatchling $version done in $((SECONDS - start))s"
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "matrix.sh: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "matrix.sh: all passed for hatchling ${versions[*]}"

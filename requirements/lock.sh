#!/usr/bin/env sh
# Regenerate the hashed locks from pyproject.toml, for every platform and Python >= 3.11:
#   python3 -m pip install uv && sh requirements/lock.sh            (add --upgrade to move)
# test.txt holds every extra; run.txt is the subset `cada` itself needs, at the same versions.
set -eu
cd "$(dirname "$0")/.."
compile="python3 -m uv pip compile --universal --python-version 3.11 --generate-hashes --quiet"
$compile pyproject.toml requirements/build.in --all-extras -o requirements/test.txt "$@"
$compile pyproject.toml requirements/build.in -c requirements/test.txt -o requirements/run.txt

# Sourced by scripts/*: make sure .venv exists and holds the project at the pyproject's version.
# CUECAST_EXTRA names an optional extra to install too (scripts/test: "test").
# Re-installs only when pyproject.toml changed (a stamp file keeps its hash).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${CUECAST_VENV:-$root/.venv}"
python="${PYTHON:-python3}"
extra="${CUECAST_EXTRA:-}"
if [ ! -x "$venv/bin/python" ]; then
  echo "cuecast: creating virtual environment in $venv" >&2
  "$python" -m venv "$venv"
fi
hash="$(sha256sum < "$root/pyproject.toml" | cut -c1-16)"
want="$hash${extra:+-$extra}"
stamp="$venv/.cuecast-installed"
# Without an extra, any install of this pyproject will do; with one, that extra must be in.
pattern="^$hash${extra:+-$extra\$}"
if [ ! -f "$stamp" ] || ! grep -q -- "$pattern" "$stamp"; then
  echo "cuecast: installing the project${extra:+ with [$extra]} (first run takes a minute)" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -e "$root${extra:+[$extra]}" >&2
  echo "$want" >> "$stamp"
fi
export PATH="$venv/bin:$PATH"

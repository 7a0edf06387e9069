# Sourced by scripts/demo and scripts/test: make sure uv is on PATH and the exact
# locked environment is installed in .venv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! command -v uv >/dev/null 2>&1; then
  export PATH="$HOME/.local/bin:$PATH"
fi
if ! command -v uv >/dev/null 2>&1; then
  echo "Installing uv (the Python package manager carejourney uses)..." >&2
  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
  export PATH="$HOME/.local/bin:$PATH"
fi
# Compiled bytecode makes every command start in a fraction of the time.
uv sync --locked --quiet --compile-bytecode

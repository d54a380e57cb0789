#!/bin/sh
# gen-docs.sh BINARY - regenerate the generated parts of
# etc/soar-milter.conf and docs/CONFIGURATION.md from the key table in
# src/config.c (tests/cli.sh checks that they are current).
set -eu
bin=$(realpath "${1:?usage: gen-docs.sh path/to/soar-milter}")
cd "$(dirname "$0")/.."
conf=etc/soar-milter.conf
doc=docs/CONFIGURATION.md
tmp=$(mktemp)
sed '/^# --- generated/q' "$conf" > "$tmp"
"$bin" config-reference --conf >> "$tmp"
mv "$tmp" "$conf"
tmp=$(mktemp)
sed '/^<!-- generated/q' "$doc" > "$tmp"
"$bin" config-reference >> "$tmp"
echo '<!-- end generated -->' >> "$tmp"
sed '1,/^<!-- end generated/d' "$doc" >> "$tmp"
mv "$tmp" "$doc"
echo "regenerated $conf and $doc"

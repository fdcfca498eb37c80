#!/usr/bin/env bash
# Regenerates words.txt.gz, the English words search and import treat as
# known, from SCOWL's size-50 American and British lists as Debian ships
# them (packages wamerican and wbritish; licence in SCOWL-LICENSE): lower-
# case words of letters only, three letters or more (no names, no
# possessives), sorted, one a line. Run it from this folder; it is not
# part of the build (the result is committed and embedded).
set -euo pipefail
for f in /usr/share/dict/american-english /usr/share/dict/british-english; do
  [ -r "$f" ] || { echo "missing $f: apt-get install wamerican wbritish" >&2; exit 1; }
done
cat /usr/share/dict/american-english /usr/share/dict/british-english |
  grep -E '^[a-z]{3,}$' | LC_ALL=C sort -u | gzip -9n > words.txt.gz

#!/usr/bin/env bash
# Byte-identity check for refactors (issue 22): the output of `extractor extract` on every corpus text
# (both CSVs of ../shared/corpora/ctgov, all layers), on the seed pages and on the bundled examples,
# written to OUT; run it before and after a change and compare the two folders with `cmp`/`diff -r`.
#     tools/identity.sh OUT        # e.g. tools/identity.sh /tmp/before; ...; tools/identity.sh /tmp/after
#     diff -r /tmp/before /tmp/after && echo identical
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: tools/identity.sh OUT}
bin=${EXTRACTOR:-.venv/bin/extractor}
ctgov=../shared/corpora/ctgov
mkdir -p "$out"
for name in registry_sample leukemia_trials; do
  id=nct_id; [ "$name" = leukemia_trials ] && id='#nct_id'
  "$bin" extract "$ctgov/$name.csv" --format csv --id-field "$id" --text-field eligibility_criteria \
    --workers 2 --no-progress --force -o "$out/$name.jsonl" 2> "$out/$name.stderr" || true
done
"$bin" extract ../shared/seeds --no-progress --force -o "$out/seeds.jsonl" 2> "$out/seeds.stderr" || true
"$bin" extract examples --no-progress --force -o "$out/examples.jsonl" 2> "$out/examples.stderr" || true
wc -l "$out"/*.jsonl

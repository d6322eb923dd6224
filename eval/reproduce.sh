#!/usr/bin/env bash
# Regenerates every committed report under eval/, in order (from the repository root, corpora in
# ../shared, after `make install`). Each report's fixed prose is its template in eval/templates/.
# Fast: seconds to a minute each. Slow (marked): minutes to hours, or models not in the repository.
set -euo pipefail

.venv/bin/python eval/run.py registry      # eval/reports/registry.md, .json
.venv/bin/python eval/run.py seeds         # eval/reports/seeds.md, .json
.venv/bin/python eval/run.py lct           # eval/reports/lct.md, .json
.venv/bin/python eval/run.py chia          # eval/reports/chia.md, .json
.venv/bin/python eval/screening.py         # eval/SCREENING.md
.venv/bin/python eval/coverage.py          # eval/COVERAGE.md
PYTHONPATH=. .venv/bin/python eval/fhir_export.py   # eval/FHIR.md (the fhir extra)
.venv/bin/python eval/bad_input.py         # eval/BAD_INPUT.md
# slow: adversarial text at 10k / 100k / 1M characters through each stage (tens of minutes)
.venv/bin/python eval/worst_case.py        # eval/WORST_CASE.md
# slow: three timed runs of each configuration over the registry sample (minutes)
.venv/bin/python eval/benchmark.py --runs 3 --with-entities   # eval/BENCHMARK.md
# slow: trains every tagger the report scores (hours of CPU), then writes eval/ENTITIES.md
bash eval/entities_reproduce.sh

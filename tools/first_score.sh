#!/usr/bin/env bash
# The first score of a registry dev draw: the extractor as it was at COMMIT (the commit before any rule was
# tuned on the draw, named in README and the commit that landed the draw) scored on the draw's gold as it is
# now, field and page variant.
#     tools/first_score.sh 9e46369 dev2     # also: 4eafceb dev3, 5d96b05 dev4, 5cc7273 dev5
set -euo pipefail
cd "$(dirname "$0")/.."
commit=${1:?usage: tools/first_score.sh COMMIT SPLIT}
split=${2:?usage: tools/first_score.sh COMMIT SPLIT}
repo=$(pwd)
tmp=$(mktemp -d)
trap 'git -C "$repo" worktree remove --force "$tmp/src" 2>/dev/null || true; rm -rf "$tmp"' EXIT
git worktree add -q --detach "$tmp/src" "$commit"
.venv/bin/python annotations/registry/build.py gold "$tmp/gold" > /dev/null
for variant in "$split" "${split}_page"; do
  # run from the old checkout so that its package, not the installed one, is imported
  (cd "$tmp/src" && "$repo/.venv/bin/python" -m extractor eval "$tmp/gold/$variant" --layers criteria thresholds \
      --json "$tmp/$variant.json" > /dev/null)
  "$repo/.venv/bin/python" - "$tmp/$variant.json" "$variant" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
logic = r["logic"]
print(f"{sys.argv[2]}: criteria exact {r['criteria']['exact']['f1']:.3f}, thresholds full "
      f"{r['thresholds']['full']['f1']:.3f} / variable {r['thresholds']['variable']['f1']:.3f}, any_of "
      f"{logic['any_of']['f1'] or 0:.3f}, alternatives {logic['alternatives']['f1'] or 0:.3f}, section "
      f"{logic['section']['accuracy']:.3f}, condition {logic['condition']['accuracy']:.3f}")
PY
done

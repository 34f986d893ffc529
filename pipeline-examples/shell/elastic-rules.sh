#!/usr/bin/env bash
# Elastic's New Terms rules for CloudTrail, run from their own rule files over a
# directory of CloudTrail logs, remembering every rule's history between runs, with
# one tab-separated line per alert on stdout: rule, when, the new terms, from where.
#
#   RULES=path/to/detection-rules/rules/integrations/aws elastic-rules.sh DIR_OR_FILE...
#   STATE=/var/lib/ddbscan-rules.state …      where to keep the state (default below)
#   DETECTOR=/path/to/dynamodb-scan-detector  if it is not on PATH
#
# Rule files the detector cannot run exactly are named on stderr and the rest run; add
# --strict-rules below to make that an error instead.
set -euo pipefail
detector=${DETECTOR:-dynamodb-scan-detector}
rules=${RULES:?set RULES to a directory of Elastic rule files (detection-rules/rules/integrations/aws)}
state=${STATE:-${XDG_STATE_HOME:-$HOME/.local/state}/dynamodb-scan-detector-rules.state}
mkdir -p "$(dirname "$state")"
[ $# -gt 0 ] || { echo "usage: RULES=DIR $0 DIR_OR_FILE..." >&2; exit 2; }

"$detector" --rules "$rules" --state "$state" --no-progress "$@" |
  python3 -c '
import json, sys
for line in sys.stdin:
    a = json.loads(line)
    rule = a["kibana.alert.rule.name"]
    if "kibana.alert.new_terms" not in a:
        print("\t".join([rule, "SUMMARY", a["kibana.alert.reason"], ""]))
        continue
    print("\t".join([rule, a.get("kibana.alert.original_time", ""),
                     ", ".join(map(str, a["kibana.alert.new_terms"])), a.get("source", {}).get("address", "")]))
'

#!/usr/bin/env bash
# First-seen DynamoDB Scans in a directory of CloudTrail logs (S3 layout, NDJSON, …),
# remembering what it has seen between runs, with one line per alert on stdout.
#
#   alerts.sh DIR_OR_FILE...                 e.g. a local copy made by `aws s3 sync`
#   STATE=/var/lib/ddbscan.state alerts.sh …  where to keep the state (default below)
#   DETECTOR=/path/to/dynamodb-scan-detector  if it is not on PATH
#
# Run it from cron over new files, or as a filter over a live stream:
#   tail -F /var/log/cloudtrail/events.ndjson | dynamodb-scan-detector --state "$STATE"
set -euo pipefail
detector=${DETECTOR:-dynamodb-scan-detector}
state=${STATE:-${XDG_STATE_HOME:-$HOME/.local/state}/dynamodb-scan-detector.state}
mkdir -p "$(dirname "$state")"
[ $# -gt 0 ] || { echo "usage: $0 DIR_OR_FILE..." >&2; exit 2; }

# The detector writes Elastic-shaped alert documents; print the essentials as TSV:
# when, who (the new term), from where, which table.
"$detector" --state "$state" --no-progress "$@" |
  python3 -c '
import json, re, sys
for line in sys.stdin:
    a = json.loads(line)
    if "kibana.alert.new_terms" not in a:
        print("\t".join(["SUMMARY", a["kibana.alert.reason"]]))
        continue
    params = a.get("aws", {}).get("cloudtrail", {}).get("request_parameters", "")
    table = re.search(r"tableName=([^,}]+)", params)
    print("\t".join([a.get("kibana.alert.original_time", ""), ", ".join(map(str, a["kibana.alert.new_terms"])),
                     a.get("source", {}).get("address", ""), table.group(1) if table else ""]))
'

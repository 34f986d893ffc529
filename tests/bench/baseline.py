"""What a user might write instead: the rule in plain Python (json + dict).

Reads NDJSON CloudTrail on stdin; prints one line per first-seen principal:
`<eventID>\t<arn>`. Same semantics as the detector's defaults for raw records
(successful Scan, new when unseen for 14 days, late events ignored), without the
alert cap. Usage: python3 baseline.py < events.ndjson
"""
import json
import sys
from datetime import datetime

WINDOW = 14 * 24 * 3600 * 1000


def millis(text):
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def main():
    last_seen = {}
    out = []
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if r.get("eventSource") != "dynamodb.amazonaws.com" or r.get("eventName") != "Scan":
            continue
        if r.get("errorCode") or r.get("errorMessage"):
            continue
        arn = (r.get("userIdentity") or {}).get("arn")
        try:
            t = millis(r["eventTime"])
        except (KeyError, ValueError, TypeError):
            continue
        if not arn:
            continue
        last = last_seen.get(arn)
        if last is not None and t < last:
            continue
        if last is None or t - last > WINDOW:
            out.append(f"{r.get('eventID')}\t{arn}")
        last_seen[arn] = t
    sys.stdout.write("".join(o + "\n" for o in out))


if __name__ == "__main__":
    main()

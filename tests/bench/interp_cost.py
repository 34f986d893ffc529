#!/usr/bin/env python3
"""One alert's cost in WAMR's interpreter, counted rather than timed.

Fluent Bit runs the module in WAMR's fast interpreter, where an alert costs about
fifteen times its native work, and timing it there is noisy (±10% between runs on a
shared machine). This counts instead: the command line built for WASI runs under
`iwasm` (the same interpreter, built from the WAMR release Fluent Bit bundles) inside
`valgrind --tool=callgrind`, once on N Scans by new principals and once on the same N
Scans by one principal; the difference of the two instruction totals over N - 1 (the
one principal alerts once too) is one alert's cost: recording the new principal, parsing
the record, the ECS mapping, Kibana's field checks, rendering and writing the alert. The
counts repeat exactly for the same build, so a change of 1% shows.

    python3 tests/bench/interp_cost.py --iwasm PATH                 # this tree's build
    python3 tests/bench/interp_cost.py --iwasm PATH --compare a.wasm,b.wasm

`PATH` is an `iwasm` that valgrind can run: WAMR 2.4.1 (Fluent Bit 5.1.1's copy is
`lib/wasm-micro-runtime-WAMR-2.4.1` in its source) built from
`product-mini/platforms/linux` with

    cmake .. -DCMAKE_BUILD_TYPE=Release -DWAMR_BUILD_INTERP=1 -DWAMR_BUILD_FAST_INTERP=1 \\
      -DWAMR_BUILD_AOT=0 -DWAMR_BUILD_JIT=0 -DWAMR_BUILD_FAST_JIT=0 -DWAMR_BUILD_SIMD=0 \\
      -DWAMR_BUILD_LIBC_WASI=1 -DWAMR_BUILD_REF_TYPES=1 \\
      -DWAMR_DISABLE_HW_BOUND_CHECK=1 -DWAMR_DISABLE_WRITE_GS_BASE=1 && make iwasm

(the last two flags only keep valgrind able to run it: it cannot decode `wrgsbase`, and
the guard pages' signal handling confuses it). Fluent Bit's own interpreter checks bounds
with guard pages instead, so its figures differ a little; compare builds with one iwasm.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.path.join(ROOT, "target/wasm32-wasip1/release/dynamodb-scan-detector.wasm")

# A Scan as CloudTrail writes it (the shape of the bundled sample's), by an assumed role.
TEMPLATE = {
    "eventVersion": "1.10",
    "userIdentity": {
        "type": "AssumedRole", "principalId": "AROA00000000582075749:i-0000000000027456b",
        "arn": "", "accountId": "111122223333", "accessKeyId": "ASIAQ3EGRZ7K00000325",
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "principalId": "AROA00000000582075749",
                              "arn": "arn:aws:iam::111122223333:role/role-5",
                              "accountId": "111122223333", "userName": "role-5"},
            "attributes": {"creationDate": "2026-11-01T23:30:00Z", "mfaAuthenticated": "false"}}},
    "eventTime": "", "eventSource": "dynamodb.amazonaws.com", "eventName": "Scan",
    "awsRegion": "us-east-1", "sourceIPAddress": "10.2.0.9",
    "userAgent": "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.215-203.850.amzn2.x86_64",
    "requestParameters": {"select": "ALL_ATTRIBUTES", "consistentRead": False, "tableName": "Orders",
                          "limit": 100, "returnConsumedCapacity": "TOTAL"},
    "responseElements": None, "requestID": "", "eventID": "", "readOnly": True,
    "resources": [{"accountId": "111122223333", "type": "AWS::DynamoDB::Table",
                   "ARN": "arn:aws:dynamodb:us-east-1:111122223333:table/Orders"}],
    "eventType": "AwsApiCall", "apiVersion": "2012-08-10", "managementEvent": False,
    "recipientAccountId": "111122223333", "eventCategory": "Data",
    "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                   "clientProvidedHostHeader": "dynamodb.us-east-1.amazonaws.com"},
}


def corpora(work, scans):
    """`scans` Scans by as many new principals, and the same Scans by one principal, five
    seconds apart (60 per 5-minute rule run, under the cap of 100 alerts per run)."""
    paths = {}
    for kind in ("new", "known"):
        path = os.path.join(work, f"scans-{kind}.ndjson")
        with open(path, "w") as f:
            for i in range(scans):
                who = f"user-{i}" if kind == "new" else "user-0"
                t = i * 5
                rec = json.loads(json.dumps(TEMPLATE))
                rec["userIdentity"]["arn"] = f"arn:aws:sts::111122223333:assumed-role/role-5/{who}"
                rec["eventTime"] = f"2026-11-02T{t // 3600 % 24:02d}:{t // 60 % 60:02d}:{t % 60:02d}Z"
                rec["eventID"] = f"00000000-0000-4000-8000-{i:012d}"
                rec["requestID"] = f"R{i:020d}"
                f.write(json.dumps(rec, separators=(",", ":")) + "\n")
        paths[kind] = path
    return paths


def instructions(iwasm, wasm, corpus):
    """callgrind's instruction total for one run, and the lines written."""
    with open(corpus, "rb") as stdin:
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
             iwasm, "--stack-size=1048576", wasm],
            stdin=stdin, capture_output=True, check=False)
    match = re.search(rb"I\s+refs:\s+([\d,]+)", run.stderr)
    if run.returncode != 0 or not match:
        sys.exit(f"FAILED: {wasm} under {iwasm}: exit {run.returncode}\n{run.stderr[-2000:].decode(errors='replace')}")
    return int(match.group(1).replace(b",", b"")), run.stdout.count(b"\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iwasm", default=os.environ.get("IWASM"), help="an iwasm valgrind can run (or IWASM)")
    ap.add_argument("--alerts", type=int, default=200)
    ap.add_argument("--compare", metavar="WASM", help="comma-separated builds of the WASI command line instead of this tree's")
    args = ap.parse_args()
    if not 2 <= args.alerts <= 17_280:
        sys.exit("interp_cost: --alerts is 2 to 17,280 (one day of Scans five seconds apart)")
    if not args.iwasm or not os.access(args.iwasm, os.X_OK):
        sys.exit("interp_cost: give --iwasm PATH (or IWASM): an iwasm built as this file's docstring says")
    builds = args.compare.split(",") if args.compare else None
    if builds is None:
        subprocess.run(["cargo", "build", "--release", "--locked", "--target", "wasm32-wasip1",
                        "--bin", "dynamodb-scan-detector"], cwd=ROOT, check=True)
        builds = [CLI]
    with tempfile.TemporaryDirectory() as work:
        scans = corpora(work, args.alerts)
        for wasm in builds:
            new, alerts = instructions(args.iwasm, wasm, scans["new"])
            known, quiet = instructions(args.iwasm, wasm, scans["known"])
            if alerts != args.alerts or quiet != 1:
                sys.exit(f"FAILED: {wasm}: {alerts} alerts from new principals, {quiet} from one (want {args.alerts} and 1)")
            print(f"{wasm}: {(new - known) / (args.alerts - 1):,.0f} interpreter instructions per alert "
                  f"({args.alerts:,} Scans by new principals: {new:,}; by one principal: {known:,})")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The Fluent Bit module's cost in a real Fluent Bit (WAMR's interpreter), side by side
with no filter, a plain Lua filter doing the same rule, and an identity wasm module.

Every variant reads the same NDJSON with `tail` (`Exit_On_EOF`) and writes every record
to a `file` output; the figure is the Fluent Bit process's CPU time (user + system) per
record, after subtracting the same variant's run over an empty file (start-up, module
load and shutdown), median of interleaved rounds. Output counts are checked after every
run, so that a variant that drops records cannot look fast.

    python3 tests/bench/fluent_bit_real.py                 # 30,000 records, 3 rounds
    python3 tests/bench/fluent_bit_real.py --quick         # a smoke run (CI)
    FLUENT_BIT=/path/to/fluent-bit python3 tests/bench/fluent_bit_real.py

Uses $FLUENT_BIT, else ../shared/tools/fluent-bit/fluent-bit beside the project; fails
with one line when neither exists.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GEN = os.path.join(ROOT, "target/release/examples/generate")
MODULE = os.path.join(ROOT, "target/wasm32-wasip1/release/dynamodb_scan_detector.wasm")
IDENTITY_TARGET = os.path.join(ROOT, "target/identity")
IDENTITY = os.path.join(IDENTITY_TARGET, "wasm32-wasip1/release/examples/identity_filter.wasm")
LUA_RULE = os.path.join(ROOT, "tests/bench/fluent-bit-rule.lua")
SPLITTERS = os.path.join(ROOT, "pipeline-examples/fluent-bit/cloudtrail.lua")


def fluent_bit():
    path = os.environ.get("FLUENT_BIT") or os.path.join(os.path.dirname(ROOT), "shared/tools/fluent-bit/fluent-bit")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        sys.exit(f"FAILED: no Fluent Bit: set FLUENT_BIT or provide {path}")
    return path


def wasm_filter(match, path, function, home):
    return f"""
[FILTER]
    Name              wasm
    Match             {match}
    Wasm_Path         {path}
    Function_Name     {function}
    Event_Format      json
    Accessible_Paths  {home}
    Wasm_Stack_Size   64K
"""


def variants(home):
    """name -> (filters, alert output match or None)."""
    copy_candidates = """
[FILTER]
    Name          rewrite_tag
    Match         cloudtrail
    Rule          $eventName ^Scan$ dynamodb.scan true
    Rule          $detail['eventName'] ^Scan$ dynamodb.scan true
    Rule          $event['action'] ^Scan$ dynamodb.scan true
    Emitter_Name  dynamodb_scan_candidates
"""
    routing = copy_candidates + f"""{wasm_filter("dynamodb.scan", MODULE, "dynamodb_scan_alerts_only", home)}
[FILTER]
    Name    lua
    Match   dynamodb.scan
    Script  {SPLITTERS}
    Call    expand_alert_bundles
"""
    return {
        "no filter": "",
        "Lua filter, same rule": f"""
[FILTER]
    Name    lua
    Match   cloudtrail
    Script  {LUA_RULE}
    Call    dynamodb_scan_rule
""",
        "identity wasm module": wasm_filter("cloudtrail", IDENTITY, "identity_filter", home),
        "dynamodb_scan_annotate": wasm_filter("cloudtrail", MODULE, "dynamodb_scan_annotate", home),
        # Fluent Bit's own share of the routing pipeline: the same rewrite_tag, no module.
        "candidate routing without the module (rewrite_tag alone)": copy_candidates,
        "candidate routing (advanced)": routing,
    }


def config(work, corpus, filters):
    return f"""
[SERVICE]
    Flush         1
    Log_Level     warn
    Parsers_File  {work}/parsers.conf

[INPUT]
    Name               tail
    Tag                cloudtrail
    Path               {corpus}
    Parser             json
    Read_From_Head     On
    Exit_On_EOF        On
    Buffer_Chunk_Size  1M
    Buffer_Max_Size    16M
{filters}
[OUTPUT]
    Name    file
    Match   *
    Path    {work}/out
    Format  plain
"""


def run(fb, work, corpus, filters):
    """CPU seconds of one Fluent Bit run and the records written, by tag file."""
    out = os.path.join(work, "out")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    conf = os.path.join(work, "bench.conf")
    with open(conf, "w") as f:
        f.write(config(work, corpus, filters))
    with open(os.path.join(work, "stderr"), "wb") as err:
        proc = subprocess.Popen([fb, "-c", conf], stdout=subprocess.DEVNULL, stderr=err, cwd=work)
        _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        with open(os.path.join(work, "stderr"), errors="replace") as f:
            sys.exit(f"FAILED: fluent-bit exited {status}:\n{f.read()[-3000:]}")
    counts = {}
    for name in os.listdir(out):
        with open(os.path.join(out, name), "rb") as f:
            counts[name] = sum(1 for _ in f)
    return usage.ru_utime + usage.ru_stime, counts


def alert_corpora(work, scans):
    """`scans` Scans by as many new principals, and the same Scans by one principal."""
    template = {
        "eventVersion": "1.09", "eventSource": "dynamodb.amazonaws.com", "eventName": "Scan",
        "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2.15.0",
        "requestParameters": {"tableName": "orders"}, "responseElements": None,
        "readOnly": True, "eventType": "AwsApiCall", "managementEvent": False,
        "recipientAccountId": "111122223333", "eventCategory": "Data",
    }
    paths = {}
    for kind in ("new", "known"):
        path = os.path.join(work, f"scans-{kind}.ndjson")
        with open(path, "w") as f:
            for i in range(scans):
                who = f"user-{i}" if kind == "new" else "user-0"
                rec = dict(template, eventTime=f"2026-11-02T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z",
                           eventID=f"00000000-0000-4000-8000-{i:012d}", requestID=f"R{i:020d}",
                           userIdentity={"type": "IAMUser", "principalId": "AIDA0000000000000000",
                                         "arn": f"arn:aws:iam::111122223333:user/{who}",
                                         "accountId": "111122223333", "userName": who})
                f.write(json.dumps(rec, separators=(",", ":")) + "\n")
        paths[kind] = path
    return paths


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=30_000)
    ap.add_argument("--alerts", type=int, default=1_000, help="Scans in the alert-cost corpora")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--corpus", default="typical", help="generator corpus kind (typical, scan-heavy, …)")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", help="comma-separated variants to run (a part of each name), e.g. 'identity,annotate'")
    ap.add_argument("--compare", metavar="WASM", help="also run annotate with these builds of the module (comma-separated; A/B)")
    ap.add_argument("--no-alert-cost", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.records, args.alerts, args.rounds = 3_000, 200, 1
    fb = fluent_bit()
    subprocess.run(["cargo", "build", "--release", "--locked", "--example", "generate"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "--locked", "--lib", "--target", "wasm32-wasip1", "--features", "fluent-bit"],
                   cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "--locked", "--target", "wasm32-wasip1", "--features", "fluent-bit",
                    "--example", "identity_filter"], cwd=ROOT, check=True,
                   env=dict(os.environ, CARGO_TARGET_DIR=IDENTITY_TARGET))
    work = tempfile.mkdtemp(prefix="fb-bench-")
    try:
        with open(os.path.join(work, "parsers.conf"), "w") as f:
            f.write("[PARSER]\n    Name    json\n    Format  json\n")
        home = os.path.join(work, "detector")
        os.makedirs(home)
        with open(os.path.join(home, "dynamodb-scan-detector.fluent-bit.json"), "w") as f:
            f.write('{"detection_time": "event"}\n')
        corpus = os.path.join(work, "corpus.ndjson")
        with open(corpus, "wb") as f:
            subprocess.run([GEN, "corpus", args.corpus, "raw", str(args.records)], stdout=f, check=True, cwd=ROOT)
        empty = os.path.join(work, "empty.ndjson")
        open(empty, "w").close()
        table = variants(home)
        for alt in args.compare.split(",") if args.compare else []:
            table[f"dynamodb_scan_annotate ({os.path.basename(alt)})"] = wasm_filter("cloudtrail", alt,
                                                                             "dynamodb_scan_annotate", home)
        if args.only:
            keep = args.only.split(",")
            table = {n: f for n, f in table.items() if any(k in n for k in keep + ["wasm)"]) or n in ("no filter", "Lua filter, same rule")}
        cpu = {name: [] for name in table}
        idle = {name: [] for name in table}
        for _ in range(args.rounds):
            for name, filters in table.items():
                seconds, counts = run(fb, work, corpus, filters)
                archived = counts.get("cloudtrail", 0)
                if archived != args.records:
                    sys.exit(f"FAILED: {name}: {archived} of {args.records} records came out ({counts})")
                cpu[name].append(seconds)
                idle[name].append(run(fb, work, empty, filters)[0])
        per = {name: max(statistics.median(cpu[name]) - statistics.median(idle[name]), 0) / args.records * 1e6
               for name in table}
        lua = per["Lua filter, same rule"]
        none = per["no filter"]
        print(f"\nReal Fluent Bit ({fb}), WAMR interpreter: CPU per record (µs), {args.records:,} "
              f"{args.corpus} raw records, median of {args.rounds} interleaved round(s), start-up subtracted\n")
        print("| variant | CPU per record (µs) | vs no filter | vs Lua filter |")
        print("|---|---:|---:|---:|")
        for name, us in per.items():
            print(f"| {name} | {us:.1f} | {us / none:.2f}x | {us / lua:.2f}x |")
        alone = per.get("candidate routing without the module (rewrite_tag alone)")
        if alone and "candidate routing (advanced)" in per:
            print(f"\nThe module's share of the routing pipeline: {per['candidate routing (advanced)'] / alone:.2f}x "
                  f"the same rewrite_tag without it (which alone is {alone / none:.2f}x no filter)")

        if args.no_alert_cost:
            return
        # One alert's cost: Scans by new principals against the same Scans by one principal.
        scans = alert_corpora(work, args.alerts)
        annotate = variants(home)["dynamodb_scan_annotate"]
        with open(os.path.join(home, "dynamodb-scan-detector.json"), "w") as f:
            f.write('{"reorder_window": "0s", "max_signals": 1000000}\n')
        spent = {"new": [], "known": []}
        for _ in range(args.rounds):
            for kind, path in scans.items():
                seconds, counts = run(fb, work, path, annotate)
                if counts.get("cloudtrail", 0) != args.alerts:
                    sys.exit(f"FAILED: alert corpus {kind}: {counts}")
                spent[kind].append(seconds)
        alert_us = (statistics.median(spent["new"]) - statistics.median(spent["known"])) / (args.alerts - 1) * 1e6
        print(f"\nOne alert (annotate, rendered and spliced in): {alert_us:,.0f} µs of CPU "
              f"({args.alerts:,} Scans by new principals against the same Scans by one principal)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Whole-command benchmark: the detector against the alternatives, side by side, in one run.

Generates the corpora with the repo's deterministic generator, runs every implementation
on the same files (interleaved, several rounds, median taken), checks that the baselines
find the same first-seen principals as the detector, and prints a Markdown table of
MB/s, events/s, peak memory and the ratio to the native CLI.

    python3 tests/bench/bench.py            # full run (about 270 MB per corpus)
    python3 tests/bench/bench.py --quick    # a few seconds; what CI runs
    python3 tests/bench/bench.py --previous-cli /path/to/older/dynamodb-scan-detector
                                            # an earlier build side by side (a change's cost)

Implementations that need built artefacts (the npm package, the Fluent Bit module) are
included when their harness exists in the repo.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.path.join(ROOT, "target/release/dynamodb-scan-detector")
GEN = os.path.join(ROOT, "target/release/examples/generate")
NOCAP = '{"max_signals": 4000000000}'


def peak_rss_kb(pid, peak):
    """The process's high-water mark so far (VmHWM), or `peak` once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return max(peak, int(line.split()[1]))
    except OSError:
        pass
    return peak


def run_measured(argv, stdin_path, stdout_path):
    """Run a command; return (seconds, peak RSS in MB). Fails loudly.

    Peak memory is read from /proc while the command runs (getrusage would report the
    benchmark's own footprint, which a child inherits across exec)."""
    with open(stdin_path, "rb") as fin, open(stdout_path, "wb") as fout, tempfile.TemporaryFile() as ferr:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=fin, stdout=fout, stderr=ferr, cwd=ROOT)
        peak = 0
        while proc.poll() is None:
            peak = peak_rss_kb(proc.pid, peak)
            time.sleep(0.002)
        elapsed = time.perf_counter() - start
        ferr.seek(0)
        err = ferr.read().decode(errors="replace")
    if proc.returncode != 0:
        sys.exit(f"FAILED ({proc.returncode}): {' '.join(argv)}\n{err}")
    return elapsed, peak / 1024


def implementations(config_path, previous_cli=None):
    """(name, argv, output kind). The detector runs with its defaults (the alert cap on),
    as a user would; `first_seen` checks run separately without the cap."""
    impls = [
        ("native CLI", [CLI, "--detection-time", "event", "--no-progress", "-"], "alerts"),
    ]
    if previous_cli:
        # Its answers are not checked: a change measured this way may change them.
        impls.append(("previous build (native CLI)", [previous_cli, "--detection-time", "event", "--no-progress", "-"], "previous"))
    impls += [
        ("Node.js baseline (JSON.parse + Map)", ["node", "tests/bench/baseline.js"], "baseline"),
        ("Python baseline (json + dict)", [sys.executable, "tests/bench/baseline.py"], "baseline"),
    ]
    npm = os.path.join(ROOT, "tests/bench/npm-bench.mjs")
    if os.path.exists(os.path.join(ROOT, "target/npm/dynamodb-scan-detector/node/index.cjs")):
        impls.append(("npm package: processBatch", ["node", npm, "batch"], "alerts"))
        impls.append(("npm package: stream helper", ["node", npm, "stream"], "alerts"))
    fluent = os.path.join(ROOT, "tests/bench/fluent-bit-bench.mjs")
    if os.path.exists(os.path.join(ROOT, "target/wasm32-wasip1/release/dynamodb_scan_detector.wasm")):
        impls.append(("Fluent Bit module: annotate (host emulation)", ["node", "--no-turbo-fast-api-calls", "--disable-warning=ExperimentalWarning", fluent], "count"))
    return impls


def first_seen(path, kind):
    """The (eventID, principal) pairs an output names."""
    pairs = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            if kind == "baseline":
                event_id, arn = line.rstrip("\n").split("\t")
                pairs.add((event_id, arn))
            elif kind == "alerts":
                doc = json.loads(line)
                if "kibana.alert.new_terms" in doc:
                    pairs.add((doc["kibana.alert.ancestors"][0].get("id"), doc["kibana.alert.new_terms"][0]))
    return pairs


WASM_CLI = os.path.join(ROOT, "target/wasm32-wasip1/release/dynamodb-scan-detector.wasm")


def compact_scans(path, n):
    """`n` successful Scans by `n` distinct principals, as small raw records."""
    with open(path, "w") as f:
        for i in range(n):
            f.write('{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventTime":"2026-11-02T00:%02d:%02dZ",'
                    '"userIdentity":{"arn":"arn:aws:sts::111122223333:assumed-role/batch/job-%d"}}\n' % (i // 60000 % 60, i // 1000 % 60, i))


def fluent_bit_cost(corpus):
    """Per-record cost of the Fluent Bit module on records that cannot match, against a
    module that returns the record unchanged, in the same host harness."""
    subprocess.run(["cargo", "build", "--release", "--locked", "--lib", "--target", "wasm32-wasip1", "--features", "fluent-bit"],
                   cwd=ROOT, check=True)
    env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(ROOT, "target/identity"),
               RUSTFLAGS="-C link-arg=--export=malloc -C link-arg=--export=free")
    subprocess.run(["cargo", "build", "--release", "--locked", "--target", "wasm32-wasip1", "--example", "identity_filter"],
                   cwd=ROOT, check=True, env=env)
    out = subprocess.run(["node", "--no-turbo-fast-api-calls", "--disable-warning=ExperimentalWarning", "tests/bench/fluent-bit-bench.mjs", "--cost", corpus],
                         cwd=ROOT, check=True, capture_output=True).stdout
    cost = json.loads(out)
    per = cost["microseconds_per_record"]
    print(f"\nFluent Bit module, per record that cannot match ({cost['records']:,} records of {cost['mean_bytes']} bytes, "
          f"host emulation, median of interleaved rounds): identity module {per['identity']['median']:.2f} µs; "
          f"dynamodb_scan_alerts_only {per['alerts_only']['median']:.2f} µs ({per['alerts_only']['vs_identity']:.2f}x); "
          f"dynamodb_scan_annotate {per['annotate']['median']:.2f} µs ({per['annotate']['vs_identity']:.2f}x); target at most 1.25x.")


def memory_per_term(work, n):
    """Bytes per tracked term, natively (peak RSS) and in wasm (linear memory), from the
    difference between a run that tracks `n` terms and one capped at 1,000."""
    path = os.path.join(work, "terms.ndjson")
    compact_scans(path, n)
    out = os.path.join(work, "terms.out")
    results = {}
    native, wasm = {}, {}
    for cap in (1_000, n):
        cfg = os.path.join(work, f"cap{cap}.json")
        with open(cfg, "w") as f:
            # Judged on arrival: with the default 5-minute reorder window every one of
            # these records (minutes of event time) is held until the end, the held
            # records set the peak in both runs, and the store grows into their freed
            # memory (the difference read 0 bytes per term at 100,000 terms).
            f.write(json.dumps({"max_terms": cap, "reorder_window": "0s"}))
        _, peak = run_measured([CLI, "--config", cfg, "--no-progress", "-"], path, out)
        native[cap] = peak * 1024 * 1024
        proc = subprocess.run(["node", "--no-turbo-fast-api-calls", "--disable-warning=ExperimentalWarning", "tests/wasi/run-cli.mjs", WASM_CLI, path, out, "--",
                               "--config", cfg, "--stats"], cwd=ROOT, stderr=subprocess.PIPE, check=True)
        stats = json.loads([l for l in proc.stderr.decode().splitlines() if l.startswith("{")][-1])
        wasm[cap] = stats["wasm_memory_bytes"]
    results["native"] = (native[n] - native[1_000]) / (n - 1_000)
    results["wasm"] = (wasm[n] - wasm[1_000]) / (n - 1_000)
    return results


def rule_set_cost(corpus, events, rounds, work, previous_cli=None):
    """Elastic's rules from their files (--rules) beside the built-in rule, on one corpus:
    the cost of running N rules in one pass. With `previous_cli`, that build runs the 6
    and the 49 rules too, interleaved with this one's. Prints a Markdown table."""
    rules = os.path.join(ROOT, "tests/data/third-party")
    one = os.path.join(work, "one-rule")
    os.makedirs(one, exist_ok=True)
    shutil.copy(os.path.join(rules, "elastic-detection-rules/exfiltration_dynamodb_scan_by_unusual_user.toml"), one)
    variants = [
        ("built-in rule (--profile current)", ["--profile", "current"]),
        ("its rule file (--rules, 1 rule)", ["--rules", one]),
        ("6 AWS rules (--rules)", ["--rules", os.path.join(rules, "elastic-detection-rules")]),
        ("all 49 AWS New Terms rules (--rules, 2 directories)",
         ["--rules", os.path.join(rules, "elastic-detection-rules"),
          "--rules", os.path.join(rules, "elastic-detection-rules-aws-new-terms")]),
    ]
    builds = [(name, CLI, extra) for name, extra in variants]
    if previous_cli:
        builds += [(f"{name}, previous build", previous_cli, extra) for name, extra in variants[2:]]
    times = {name: [] for name, _, _ in builds}
    alerts = {}
    for _ in range(rounds):
        for name, cli, extra in builds:
            out = os.path.join(work, "rules-out.ndjson")
            secs, _ = run_measured([cli, "--detection-time", "event", "--no-progress"] + extra + ["-"], corpus, out)
            times[name].append(secs)
            with open(out, "rb") as f:
                alerts[name] = sum(1 for _ in f)
    if alerts[variants[0][0]] != alerts[variants[1][0]]:
        sys.exit("FAILED: the DynamoDB rule file does not give the built-in rule's alerts")
    base = statistics.median(times[variants[0][0]])
    one_rule = statistics.median(times[variants[1][0]])
    size = os.path.getsize(corpus)
    print(f"\nElastic's rules from their files, {events} typical raw events, median of {rounds} round(s):\n")
    print("| rules | MB/s | events/s | alerts | time vs built-in | throughput vs 1 rule file |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, _, _ in builds:
        t = statistics.median(times[name])
        print(f"| {name} | {size / t / 1e6:,.0f} | {events / t:,.0f} | {alerts[name]:,} | {t / base:.2f}x | {one_rule / t:.2f} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small corpora, one round (for CI)")
    ap.add_argument("--events", type=int, help="events per corpus (default 200000, quick 20000)")
    ap.add_argument("--rounds", type=int, help="rounds per command (default 3, quick 1)")
    ap.add_argument("--keep", help="keep the corpora in this directory")
    ap.add_argument("--previous-cli", help="an earlier build of the command line, run side by side with this one")
    args = ap.parse_args()
    events = args.events or (20_000 if args.quick else 200_000)
    rounds = args.rounds or (1 if args.quick else 3)

    subprocess.run(["cargo", "build", "--release", "--locked", "--bin", "dynamodb-scan-detector", "--example", "generate"],
                   cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "--locked", "--target", "wasm32-wasip1", "--bin", "dynamodb-scan-detector"],
                   cwd=ROOT, check=True)
    work = args.keep or tempfile.mkdtemp(prefix="ddbscan-bench-")
    os.makedirs(work, exist_ok=True)
    config_path = os.path.join(work, "nocap.json")
    with open(config_path, "w") as f:
        f.write(NOCAP)

    corpora = [("typical", "raw"), ("typical", "ecs-nested"), ("typical", "ecs-dotted"), ("scan-heavy", "raw"),
               ("high-cardinality", "raw")]
    rows = []
    for kind, form in corpora:
        path = os.path.join(work, f"{kind}-{form}.ndjson")
        with open(path, "wb") as f:
            subprocess.run([GEN, "corpus", kind, form, str(events)], stdout=f, check=True, cwd=ROOT)
        size = os.path.getsize(path)
        impls = [i for i in implementations(config_path, args.previous_cli) if form == "raw" or i[2] != "baseline"]
        times = {name: [] for name, _, _ in impls}
        peaks = {name: 0.0 for name, _, _ in impls}
        outputs = {}
        for _ in range(rounds):
            for name, argv, kind_out in impls:
                out = os.path.join(work, f"out-{len(outputs)}.txt")
                secs, peak = run_measured(argv, path, out)
                times[name].append(secs)
                peaks[name] = max(peaks[name], peak)
                outputs[name] = (out, kind_out)
        # Same answers: every implementation, run once more without the alert cap.
        check = os.path.join(work, "check.txt")
        run_measured([CLI, "--config", config_path, "--detection-time", "event", "--no-progress", "-"], path, check)
        native = first_seen(check, "alerts")
        for name, argv, kind_out in impls:
            # processBatch hands back every alert of its input at once: uncapped on a
            # high-cardinality corpus that is gigabytes of alerts in one wasm32 memory.
            # Its answers are checked through the stream helper, which shares the code.
            if name == "npm package: processBatch":
                continue
            if kind_out in ("baseline", "alerts"):
                # The npm harness takes --uncapped to lift the cap as the config above does.
                uncapped = argv + ["--uncapped"] if name != "native CLI" and kind_out == "alerts" else argv
                run_measured(uncapped, path, check)
                if name != "native CLI" and first_seen(check, kind_out) != native:
                    sys.exit(f"FAILED: {name} does not find the same first-seen principals as the native CLI on {kind}/{form}")
        base = statistics.median(times["native CLI"])
        for name, _, _ in impls:
            t = statistics.median(times[name])
            rows.append((f"{kind}/{form}", name, size / t / 1e6, events / t, peaks[name], t / base))
    print(f"\n{events} events per corpus, median of {rounds} round(s); ratio = time / native CLI time\n")
    print("| corpus | implementation | MB/s | events/s | peak RSS (MB) | time vs native |")
    print("|---|---|---:|---:|---:|---:|")
    for corpus, name, mbs, eps, peak, ratio in rows:
        print(f"| {corpus} | {name} | {mbs:,.0f} | {eps:,.0f} | {peak:,.1f} | {ratio:.2f}x |")
    rule_set_cost(os.path.join(work, "typical-raw.ndjson"), events, rounds, work, args.previous_cli)
    fluent_bit_cost(os.path.join(work, "typical-raw.ndjson"))
    # The same module in a real Fluent Bit (WAMR's interpreter), beside a Lua filter of
    # the rule: the figures the README's performance table shows.
    print("\nThe Fluent Bit module in a real Fluent Bit (tests/bench/fluent_bit_real.py):", flush=True)
    subprocess.run([sys.executable, os.path.join(ROOT, "tests/bench/fluent_bit_real.py")] + (["--quick"] if args.quick else []),
                   cwd=ROOT, check=True)
    terms = 100_000 if args.quick else 1_000_000
    per_term = memory_per_term(work, terms)
    print(f"\nMemory per tracked term at {terms:,} terms: {per_term['native']:.1f} bytes natively (peak RSS), "
          f"{per_term['wasm']:.1f} bytes in wasm (linear memory); target at most 40.")
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()

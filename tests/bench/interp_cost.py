#!/usr/bin/env python3
"""One alert's cost in WAMR's interpreter, counted rather than timed.

Fluent Bit runs the module in WAMR's fast interpreter, where an alert costs about
fifteen times its native work, and timing it there is noisy (±10% between runs on a
shared machine). This counts instead: the command line built for WASI runs under
`iwasm` (the same interpreter, built from the WAMR release Fluent Bit bundles) inside
`valgrind --tool=callgrind`, once on N Scans by new principals and once on the same N
Scans by one principal (the corpora and config of `fluent_bit_real.py`'s alert cost);
the difference of the two instruction totals over N - 1 (the one principal alerts once
too) is one alert's cost: recording the new principal, parsing the record, the ECS
mapping, Kibana's field checks, rendering and writing the alert. The counts repeat
exactly for the same build, so a change of 1% shows.

    python3 tests/bench/interp_cost.py --iwasm PATH                 # this tree's build
    python3 tests/bench/interp_cost.py --iwasm PATH --compare a.wasm,b.wasm
    python3 tests/bench/interp_cost.py --iwasm PATH --filter-path   # a record that cannot match

`--filter-path` counts instead what the Fluent Bit module's annotate function costs on a
typical record that is no Scan (nearly every record): `tests/bench/filter_driver.rs`
calls it on each line of 30,000 generated typical records without their Scans, as Fluent
Bit does, inside one WASI command; the same run without the calls is subtracted. It
reports the share of WAMR checking `strstr`'s strings (walking each to its NUL) apart.

`PATH` is an `iwasm` that valgrind can run: WAMR 2.4.1 (Fluent Bit 5.1.1's copy is
`lib/wasm-micro-runtime-WAMR-2.4.1` in its source) built from
`product-mini/platforms/linux` with

    cmake .. -DCMAKE_BUILD_TYPE=Release -DWAMR_BUILD_INTERP=1 -DWAMR_BUILD_FAST_INTERP=1 \\
      -DWAMR_BUILD_AOT=0 -DWAMR_BUILD_JIT=0 -DWAMR_BUILD_FAST_JIT=0 -DWAMR_BUILD_SIMD=0 \\
      -DWAMR_BUILD_LIBC_WASI=1 -DWAMR_BUILD_REF_TYPES=1 \\
      -DWAMR_DISABLE_HW_BOUND_CHECK=1 -DWAMR_DISABLE_WRITE_GS_BASE=1 && make iwasm

(valgrind cannot decode the `wrgsbase` instruction of the default build; the build that
was tried also checks memory bounds in the interpreter, where Fluent Bit's uses guard
pages, so its counts differ a little from Fluent Bit's work: compare builds with one
iwasm).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fluent_bit_real import alert_corpora  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.path.join(ROOT, "target/wasm32-wasip1/release/dynamodb-scan-detector.wasm")

# The corpora and the config of fluent_bit_real.py's alert cost, so that its timed figure
# and this count describe the same work.
CONFIG = '{"reorder_window": "0s", "max_signals": 1000000}\n'


def instructions(iwasm, wasm, corpus, config):
    """callgrind's instruction total for one run, and the lines written."""
    with open(corpus, "rb") as stdin:
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
             iwasm, "--stack-size=1048576", f"--dir={os.path.dirname(config)}", wasm,
             "--config", config],
            stdin=stdin, capture_output=True, check=False)
    match = re.search(rb"I\s+refs:\s+([\d,]+)", run.stderr)
    if run.returncode != 0 or not match:
        sys.exit(f"FAILED: {wasm} under {iwasm}: exit {run.returncode}\n{run.stderr[-2000:].decode(errors='replace')}")
    return int(match.group(1).replace(b",", b"")), run.stdout.count(b"\n")


FILTER_DRIVER = os.path.join(ROOT, "target/wasm32-wasip1/release/examples/filter_driver.wasm")
GENERATE = os.path.join(ROOT, "target/release/examples/generate")
# WAMR's check of a string argument (`strstr`'s), and where the interpreter runs.
STR_CHECK = "wasm_runtime_validate_app_str_addr"


def driver_run(iwasm, corpus, home, extra):
    """callgrind's total and WAMR's string checks for one run of the filter driver."""
    with tempfile.NamedTemporaryFile(suffix=".callgrind") as out, open(corpus, "rb") as stdin:
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}", iwasm,
             "--stack-size=1048576", f"--dir={home}", FILTER_DRIVER] + extra,
            stdin=stdin, capture_output=True, check=False)
        if run.returncode != 0:
            sys.exit(f"FAILED: the filter driver under {iwasm}: exit {run.returncode}\n"
                     f"{run.stderr[-2000:].decode(errors='replace')}")
        annotate = subprocess.run(["callgrind_annotate", out.name], capture_output=True, check=True)
    total = re.search(rb"I\s+refs:\s+([\d,]+)", run.stderr)
    check = re.search(rb"^\s*([\d,]+) .*" + STR_CHECK.encode(), annotate.stdout, re.M)
    count = lambda m: int(m.group(1).replace(b",", b"")) if m else 0
    return count(total), count(check), run.stdout.decode().strip()


def filter_path(iwasm, records):
    subprocess.run(["cargo", "build", "--release", "--locked", "--example", "generate"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "--locked", "--target", "wasm32-wasip1", "--features",
                    "fluent-bit", "--example", "filter_driver"], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory() as work:
        home = os.path.join(work, "detector")
        os.makedirs(home)
        with open(os.path.join(home, "dynamodb-scan-detector.fluent-bit.json"), "w") as f:
            f.write('{"detection_time": "event"}\n')
        corpus = os.path.join(work, "typical.ndjson")
        made = subprocess.run([GENERATE, "corpus", "typical", "raw", str(records)], capture_output=True,
                              check=True, cwd=ROOT).stdout.splitlines(keepends=True)
        kept = [line for line in made if b'"eventName":"Scan"' not in line]
        with open(corpus, "wb") as f:
            f.writelines(kept)
        base, _, _ = driver_run(iwasm, corpus, home, ["--no-filter"])
        total, checks, said = driver_run(iwasm, corpus, home, [])
        if said != f"unchanged {len(kept)} replaced 0 dropped 0":
            sys.exit(f"FAILED: the filter driver said {said!r} for {len(kept)} records that cannot match")
        per = (total - base) / len(kept)
        print(f"{per:,.0f} interpreter instructions per typical record that is no Scan "
              f"({len(kept):,} records), {checks / len(kept):,.0f} of them ({checks / (total - base):.0%}) "
              f"WAMR checking strstr's strings")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iwasm", default=os.environ.get("IWASM"), help="an iwasm valgrind can run (or IWASM)")
    ap.add_argument("--alerts", type=int, default=200)
    ap.add_argument("--compare", metavar="WASM", help="comma-separated builds of the WASI command line instead of this tree's")
    ap.add_argument("--filter-path", action="store_true", help="the module's cost on a record that cannot match")
    args = ap.parse_args()
    if not 2 <= args.alerts <= 86_400:
        sys.exit("interp_cost: --alerts is 2 to 86,400 (one day of Scans a second apart)")
    if not args.iwasm or not os.access(args.iwasm, os.X_OK):
        sys.exit("interp_cost: give --iwasm PATH (or IWASM): an iwasm built as this file's docstring says")
    if args.filter_path:
        return filter_path(args.iwasm, 30_000)
    builds = args.compare.split(",") if args.compare else None
    if builds is None:
        subprocess.run(["cargo", "build", "--release", "--locked", "--target", "wasm32-wasip1",
                        "--bin", "dynamodb-scan-detector"], cwd=ROOT, check=True)
        builds = [CLI]
    with tempfile.TemporaryDirectory() as work:
        scans = alert_corpora(work, args.alerts)
        config = os.path.join(work, "dynamodb-scan-detector.json")
        with open(config, "w") as f:
            f.write(CONFIG)
        for wasm in builds:
            new, alerts = instructions(args.iwasm, wasm, scans["new"], config)
            known, quiet = instructions(args.iwasm, wasm, scans["known"], config)
            if alerts != args.alerts or quiet != 1:
                sys.exit(f"FAILED: {wasm}: {alerts} alerts from new principals, {quiet} from one (want {args.alerts} and 1)")
            print(f"{wasm}: {(new - known) / (args.alerts - 1):,.0f} interpreter instructions per alert "
                  f"({args.alerts:,} Scans by new principals: {new:,}; by one principal: {known:,})")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Runs the pipeline examples that can run here, and checks the configs of those whose
host cannot be installed here (Fluentd, Vector) by running the exact detector command
they contain on the bundled sample, fed the way that host would feed it.

    python3 tests/pipelines/check.py
"""
import gzip
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.path.join(ROOT, "target/release/dynamodb-scan-detector")
SAMPLE = os.path.join(ROOT, "pipeline-examples/data")
EXPECTED_ALERTS = 7


def fail(msg):
    sys.exit(f"FAILED: {msg}")


def sample_records():
    """Every record of the sample as one JSON line, in time order (what a host that
    parsed NDJSON would hand over)."""
    lines = []
    for folder, _, files in sorted(os.walk(SAMPLE)):
        for name in sorted(files):
            if name.endswith(".json.gz"):
                with gzip.open(os.path.join(folder, name)) as f:
                    lines.extend(json.dumps(r, separators=(",", ":")) for r in json.load(f)["Records"])
    return ("\n".join(lines) + "\n").encode()


def run_command(argv, stdin, what):
    proc = subprocess.run(argv, input=stdin, capture_output=True, cwd=ROOT)
    if proc.returncode != 0:
        fail(f"{what}: exit {proc.returncode}: {proc.stderr.decode()}")
    out = [l for l in proc.stdout.decode().splitlines() if l.strip()]
    docs = []
    for l in out:
        try:
            doc = json.loads(l)
        except ValueError:
            fail(f"{what}: an output line is not JSON: {l[:200]}")
        if not isinstance(doc, dict):
            fail(f"{what}: an output line is not a JSON object")
        docs.append(doc)
    return docs


def with_our_binary(command, state):
    """The config's detector command, with this build's binary and a scratch state file."""
    argv = shlex.split(command)
    if argv[0] != "dynamodb-scan-detector":
        fail(f"unexpected command {argv[0]}")
    argv[0] = CLI
    for i, a in enumerate(argv[:-1]):
        if a == "--state":
            argv[i + 1] = state
    return argv


def check_shell(tmp):
    env = dict(os.environ, DETECTOR=CLI, STATE=os.path.join(tmp, "shell.state"))
    script = os.path.join(ROOT, "pipeline-examples/shell/alerts.sh")
    for run, want in ((1, EXPECTED_ALERTS), (2, 0)):
        proc = subprocess.run([script, SAMPLE], capture_output=True, env=env, cwd=ROOT)
        if proc.returncode != 0:
            fail(f"shell/alerts.sh run {run}: {proc.stderr.decode()}")
        rows = [l.split("\t") for l in proc.stdout.decode().splitlines() if l]
        if len(rows) != want or any(len(r) != 4 for r in rows):
            fail(f"shell/alerts.sh run {run}: expected {want} rows of 4 columns, got {rows}")
    print(f"shell: alerts.sh prints {EXPECTED_ALERTS} alerts, then none on a second run (state kept)")


def check_shell_rules(tmp):
    """elastic-rules.sh as its README runs it: six of Elastic's rule files over the
    generated two weeks delivered a week at a time, then the second week again, the
    state kept between runs."""
    env = dict(os.environ, DETECTOR=CLI, STATE=os.path.join(tmp, "rules.state"),
               RULES=os.path.join(ROOT, "tests/data/third-party/elastic-detection-rules"))
    script = os.path.join(ROOT, "pipeline-examples/shell/elastic-rules.sh")
    weeks = ([], [])
    with open(os.path.join(ROOT, "tests/fixtures/aws-family.ndjson")) as f:
        for line in f:
            weeks[json.loads(line)["eventTime"] >= "2026-11-09"].append(line)
    paths = []
    for i, lines in enumerate(weeks):
        paths.append(os.path.join(tmp, f"week-{i + 1}.ndjson"))
        with open(paths[-1], "w") as f:
            f.writelines(lines)
    seen = []
    for run, (path, want) in enumerate(((paths[0], 12), (paths[1], 8), (paths[1], 0)), 1):
        proc = subprocess.run([script, path], capture_output=True, env=env, cwd=ROOT)
        if proc.returncode != 0:
            fail(f"shell/elastic-rules.sh run {run}: {proc.stderr.decode()}")
        rows = [l.split("\t") for l in proc.stdout.decode().splitlines() if l]
        if len(rows) != want or any(len(r) != 4 for r in rows):
            fail(f"shell/elastic-rules.sh run {run}: expected {want} rows of 4 columns, got {rows}")
        seen += rows
    if len({r[0] for r in seen}) != 6:
        fail(f"shell/elastic-rules.sh: expected alerts from six rules, got {sorted({r[0] for r in seen})}")
    print("shell: elastic-rules.sh prints 12 alerts for week 1, 8 for week 2 (six rules), none for week 2 again")


def check_fluentd(tmp, records):
    conf = open(os.path.join(ROOT, "pipeline-examples/fluentd/fluent.conf")).read()
    block = re.search(r"<match cloudtrail>(.*?)</match>", conf, re.S)
    if not block or "@type exec_filter" not in block.group(1):
        fail("fluentd: no exec_filter match block")
    command = re.search(r"^\s*command\s+(.+)$", block.group(1), re.M).group(1)
    for key in ("<format>", "<parse>", "tag dynamodb.scan.alert"):
        if key not in block.group(1):
            fail(f"fluentd: exec_filter block lacks {key}")
    docs = run_command(with_our_binary(command, os.path.join(tmp, "fluentd.state")), records, "fluentd exec_filter command")
    alerts = [d for d in docs if "kibana.alert.new_terms" in d]
    if len(alerts) != EXPECTED_ALERTS or len(docs) != len(alerts):
        fail(f"fluentd: expected {EXPECTED_ALERTS} alert documents only, got {len(docs)} lines / {len(alerts)} alerts")
    count = records.count(b"\n")
    print(f"fluentd: the exec_filter command turns the sample's {count} records into {len(alerts)} alert lines")


def check_vector(tmp, records):
    with open(os.path.join(ROOT, "pipeline-examples/vector/vector.toml"), "rb") as f:
        conf = tomllib.load(f)
    src = conf["sources"]["dynamodb_scan_alerts"]
    if (src["type"], src["mode"], src["decoding"]["codec"]) != ("exec", "streaming", "json"):
        fail("vector: the source must be exec/streaming with json decoding")
    if conf["sinks"]["alerts_file"]["inputs"] != ["dynamodb_scan_alerts"]:
        fail("vector: the sink does not read the alerts")
    shell = src["command"][2]
    detector = shell.split("| exec ", 1)[1]
    docs = run_command(with_our_binary(detector, os.path.join(tmp, "vector.state")), records, "vector exec command")
    if len(docs) != EXPECTED_ALERTS:
        fail(f"vector: expected {EXPECTED_ALERTS} JSON events, got {len(docs)}")
    print(f"vector: the exec source's detector command yields {len(docs)} JSON events")


def check_node(tmp, records):
    tarball = os.path.join(ROOT, "target/npm/dynamodb-scan-detector-0.1.0.tgz")
    if not os.path.exists(tarball):
        fail("node: the npm package is not packed (bash src/bindings/js/build-npm.sh --pack)")
    project = os.path.join(tmp, "node-demo")
    os.makedirs(project)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", tarball], cwd=project, check=True)
    script = os.path.join(project, "alerts-stream.mjs")
    with open(os.path.join(ROOT, "pipeline-examples/node/alerts-stream.mjs")) as src, open(script, "w") as dst:
        dst.write(src.read())
    events = os.path.join(tmp, "events.ndjson")
    with open(events, "wb") as f:
        f.write(records)
    for run, want in ((1, EXPECTED_ALERTS), (2, 0)):
        docs = run_command(["node", script, "--state", os.path.join(tmp, "node.state"), events], b"", f"node example run {run}")
        alerts = [d for d in docs if "kibana.alert.new_terms" in d]
        if len(alerts) != want:
            fail(f"node: run {run}: expected {want} alerts, got {len(alerts)}")
    print(f"node: the stream example prints {EXPECTED_ALERTS} alerts, then none on a second run (state kept)")


def main():
    subprocess.run(["cargo", "build", "--release", "--locked", "--bin", "dynamodb-scan-detector"], cwd=ROOT, check=True)
    records = sample_records()
    with tempfile.TemporaryDirectory() as tmp:
        check_shell(tmp)
        check_shell_rules(tmp)
        check_fluentd(tmp, records)
        check_vector(tmp, records)
        check_node(tmp, records)


if __name__ == "__main__":
    main()

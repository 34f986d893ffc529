#!/usr/bin/env python3
"""The shipped Fluent Bit configs, run by a real Fluent Bit, fed as the README says.

Every config of pipeline-examples/fluent-bit/ (minimal.conf, minimal.yaml, advanced.conf,
advanced.yaml) is installed under a scratch root by the README's own shell blocks (the
blocks marked `<!-- real_host.py: NAME -->`, run verbatim by bash; only their paths are
rewritten, by the README's sed), fed the bundled S3 sample by the README's blocks plus
generated NDJSON and hostile lines, and run by Fluent Bit until its outputs stop growing,
then stopped with SIGTERM. Checks:

* the alerts equal the command line's on the same data (`--detection-time event`, whole
  alert documents; the try-it run with the shipped settings: event ids and new terms);
* every input record reaches the archive output exactly once (compared as parsed JSON);
* hostile lines (a 2 MB record, text that is not JSON, invalid UTF-8, 200 levels of
  nesting, an eventName written "Sc\\u0061n") lose nothing and break nothing;
* with a 10 s reorder window, a first sighting held at the end of the data comes out at the
  heartbeat (about 60 s after start), not before;
* after a SIGTERM, a second run over new data that includes the first run's principals
  raises no alert for them (the module's snapshot), and the tail DB re-reads nothing;
* the module built with `rule-files` and rules.yaml, installed by the README's blocks with
  six of Elastic's rule files: two weeks of generated CloudTrail in two runs with a
  SIGTERM between give the command line's `--rules` alerts, none repeated; and five of
  them (records then rejected by Fluent Bit's own search) the command line's too.

Fluent Bit is $FLUENT_BIT, else ../shared/tools/fluent-bit/fluent-bit (relative to the
project root); without either the test fails. Usage: python3 tests/fluent-bit/real_host.py
"""

import collections
import glob
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
README = os.path.join(ROOT, "pipeline-examples/fluent-bit/README.md")
DATA = os.path.join(ROOT, "pipeline-examples/data")
CLI = os.path.join(ROOT, "target/release/dynamodb-scan-detector")
GENERATE = os.path.join(ROOT, "target/release/examples/generate")
CONF_DIR = "etc/fluent-bit/dynamodb-scan-detector"  # under the scratch root, as the README installs
CORPUS_EVENTS = 10000
QUIET = 2.5  # seconds without output growth that count as "stable" (Flush is 1 s)
T_START = time.monotonic()


class Failure(Exception):
    pass


def check(cond, message):
    if not cond:
        raise Failure(message)


def log(message):
    print(f"[{time.monotonic() - T_START:6.1f}s] {message}", flush=True)


def fluent_bit_path():
    env = os.environ.get("FLUENT_BIT")
    candidates = [env] if env else [os.path.join(ROOT, "..", "shared/tools/fluent-bit/fluent-bit")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    where = f"FLUENT_BIT={env}" if env else "../shared/tools/fluent-bit/fluent-bit (relative to the project root)"
    print(f"FAILED: no Fluent Bit executable at {where}: set FLUENT_BIT to a Fluent Bit >= 4.1.2", file=sys.stderr)
    sys.exit(1)


# ---------------------------------------------------------------- the README's blocks

def readme_blocks():
    text = open(README, encoding="utf-8").read()
    blocks = {}
    for m in re.finditer(r"<!-- real_host\.py: ([\w-]+) -->\n```sh\n(.*?)```", text, re.S):
        blocks[m.group(1)] = m.group(2)
    for name in ("install", "feed-s3", "feed-ndjson", "run-advanced", "run-minimal", "install-rules", "run-rules"):
        check(name in blocks, f"README.md has no block marked <!-- real_host.py: {name} -->")
    return blocks


def run_blocks(blocks, names, scratch, root=None):
    """Run README blocks in one bash, as a user pastes them into one shell. `install`
    makes the root with mktemp (under `scratch` here); the others use $R. The `fluent-bit`
    line of a run block is not executed: its arguments are returned, for the test to
    start Fluent Bit itself. Returns (R, fluent-bit arguments or None)."""
    out = os.path.join(scratch, "blocks.out")
    script = ['set -euo pipefail', 'fluent-bit() { printf "%s\\0" "$@" > "$BLOCKS_OUT.args"; }']
    if root is not None:
        script.append(f"R='{root}'")
    for n in names:
        script.append(blocks[n])
    script.append('printf "%s" "$R" > "$BLOCKS_OUT"')
    env = dict(os.environ, TMPDIR=scratch, BLOCKS_OUT=out)
    for f in (out, out + ".args"):
        if os.path.exists(f):
            os.remove(f)
    p = subprocess.run(["bash", "-c", "\n".join(script)], cwd=ROOT, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    check(p.returncode == 0, f"README blocks {names} failed ({p.returncode}):\n{p.stdout}")
    r = open(out).read()
    check(r.startswith(scratch + "/"), f"README blocks made their root outside the scratch directory: {r!r}")
    args = None
    if os.path.exists(out + ".args"):
        args = open(out + ".args").read().split("\0")[:-1]
    return r, args


# ---------------------------------------------------------------- data

def sample_files(days=None):
    files = sorted(glob.glob(os.path.join(DATA, "AWSLogs/**/*.json.gz"), recursive=True))
    if days is not None:
        files = [f for f in files if any(f"/2026/11/{d}/" in f for d in days)]
    return files


def s3_line(path):
    """A CloudTrail S3 object as the README feeds it: gunzipped, plus a newline."""
    return gzip.open(path).read() + b"\n"


def feed_s3(root, files):
    """The README's feed-s3 rule, for a subset: gunzip, newline, rename into place whole."""
    for f in files:
        rel = os.path.relpath(f, DATA)[: -len(".gz")]
        dest = os.path.join(root, "var/lib/cloudtrail-s3", rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest + ".tmp", "wb") as out:
            out.write(s3_line(f))
        os.rename(dest + ".tmp", dest)


def place(path, data):
    """A whole NDJSON file renamed into a watched directory (never half a file)."""
    with open(path + ".tmp", "wb") as out:
        out.write(data)
    os.rename(path + ".tmp", path)


def append(path, line):
    """One complete line appended to a file tail already follows."""
    with open(path, "ab") as out:
        out.write(line)


def scan_template():
    for f in sample_files():
        for r in json.loads(gzip.open(f).read())["Records"]:
            if r["eventName"] == "Scan" and "errorCode" not in r:
                return r
    raise Failure("no successful Scan in the sample")


def scan_by(template, user, event_time, event_id, **fields):
    r = json.loads(json.dumps(template))
    r["userIdentity"] = {"type": "IAMUser", "principalId": "AIDA" + user.upper().replace("-", ""),
                         "arn": f"arn:aws:iam::111122223333:user/{user}", "accountId": "111122223333",
                         "userName": user}
    r["eventTime"] = event_time
    r["eventID"] = event_id
    r.update(fields)
    return r


def compact(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


def hostile_lines(template):
    """A 2 MB Scan, text that is not JSON, a Scan with invalid UTF-8, a Scan nested 200
    deep, a Scan whose eventName is written with an escape. All by principals of their own."""
    lines = {}
    lines["big"] = compact(scan_by(template, "hostile-big", "2026-11-04T12:00:00Z", "hostile-big",
                                   requestParameters={"tableName": "Orders", "padding": "x" * 2_000_000}))
    lines["text"] = b'this line is not JSON {"eventName":"Scan"'
    r = scan_by(template, "hostile-utf8", "2026-11-04T12:00:01Z", "hostile-utf8", userAgent="UA-MARK")
    lines["utf8"] = compact(r).replace(b"UA-MARK", b"agent \xff\xfe bytes \xc3(")
    deep = "bottom"
    for _ in range(200):
        deep = {"a": deep}
    lines["deep"] = compact(scan_by(template, "hostile-deep", "2026-11-04T12:00:02Z", "hostile-deep",
                                    requestParameters=deep))
    r = compact(scan_by(template, "hostile-escaped", "2026-11-04T12:00:03Z", "hostile-escaped"))
    check(b'"eventName":"Scan"' in r, "template")
    lines["escaped"] = r.replace(b'"eventName":"Scan"', b'"eventName":"Sc\\u0061n"')
    return lines


# ---------------------------------------------------------------- comparing

def fb_text(s):
    """Fluent Bit writes invalid UTF-8 bytes as U+E0xx (src/flb_utils.c) or U+FFFD; the
    input side is decoded with U+FFFD. Both become '?' for comparison."""
    return "".join("?" if ("\ue000" <= c <= "\ue0ff" or c == "\ufffd") else c for c in s)


def norm(v):
    if isinstance(v, str):
        return fb_text(v)
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, dict):
        return {fb_text(k): norm(x) for k, x in v.items()}
    return v


def canon(obj):
    return json.dumps(norm(obj), sort_keys=True, ensure_ascii=False)


def input_record(line):
    """What the archive should hold for one input line: the parsed object, or {"log": text}
    when tail's JSON parser does not take the line: text that is not a JSON object, and JSON
    nested deeper than 64 levels (Fluent Bit's msgpack-c stack, cmake/msgpack.cmake)."""
    text = line.rstrip(b"\n").decode("utf-8", "replace")
    if text.count("{") + text.count("[") > 64 and nesting(text) > 64:
        return {"log": text}
    try:
        obj = json.loads(text)
        if isinstance(obj, dict):
            return obj
    except ValueError:
        pass
    return {"log": text}


def nesting(text):
    depth = deepest = 0
    in_string = escaped = False
    for c in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (c == "\\", c != '"')
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth -= 1
    return deepest


def alert_key(a):
    event = a.get("event", {})
    return (event.get("id"), tuple(a.get("kibana.alert.new_terms", [])))


def read_ndjson(path):
    if not os.path.exists(path):
        return []
    out = []
    for n, line in enumerate(open(path, "rb").read().split(b"\n"), 1):
        if line:
            try:
                out.append(json.loads(line))
            except ValueError as e:
                raise Failure(f"{path}:{n}: not JSON ({e}): {line[:200]!r}")
    return out


def cli_alerts(args, stdin=b"", window="0s"):
    p = subprocess.run([CLI, "--detection-time", "event", "--reorder-window", window, *args],
                       input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    check(p.returncode == 0, f"CLI {args} failed: {p.stderr.decode()[-2000:]}")
    return [json.loads(l) for l in p.stdout.split(b"\n") if l]


CLOCK_FIELDS = ("@timestamp", "kibana.alert.start", "kibana.alert.last_detected", "kibana.alert.intended_timestamp")


def without_clock(a):
    return {k: v for k, v in a.items() if k not in CLOCK_FIELDS}


def same_alerts(got, want, what, whole=True):
    """Whole alert documents (parsed) or, with `whole` False, every field but the four the
    detection time sets (runs with the shipped `detection_time` `clock`)."""
    key = canon if whole else (lambda a: canon(without_clock(a)))
    g, w = collections.Counter(map(key, got)), collections.Counter(map(key, want))
    if g != w:
        missing = [alert_key(json.loads(k)) for k in (w - g)]
        extra = [alert_key(json.loads(k)) for k in (g - w)]
        raise Failure(f"{what}: alerts differ from the command line's: {len(got)} vs {len(want)}; "
                      f"missing {missing[:5]}, unexpected {extra[:5]}")


def same_archive(records, expected_lines, what):
    got = collections.Counter(canon(r) for r in records)
    want = collections.Counter(canon(input_record(l)) for l in expected_lines)
    if got != want:
        lost = sum((want - got).values())
        extra = sum((got - want).values())
        sample = [k[:300] for k in list((want - got))[:2]] + [k[:300] for k in list((got - want))[:2]]
        raise Failure(f"{what}: archive holds {len(records)} records for {len(expected_lines)} input records: "
                      f"{lost} lost, {extra} unexpected or repeated; e.g. {sample}")


# ---------------------------------------------------------------- Fluent Bit

class FluentBit:
    running = []  # stopped by main() if a check fails while they run

    def __init__(self, fb, args, root, name, watch):
        self.name, self.root, self.watch = name, root, watch
        self.stdout_path = os.path.join(root, f"{name}.stdout")
        self.stderr_path = os.path.join(root, f"{name}.stderr")
        self.started = time.monotonic()
        self.proc = subprocess.Popen([fb, *args], cwd=root, stdin=subprocess.DEVNULL,
                                     stdout=open(self.stdout_path, "ab"), stderr=open(self.stderr_path, "ab"))
        FluentBit.running.append(self.proc)

    def elapsed(self):
        return time.monotonic() - self.started

    def sizes(self):
        return tuple(os.path.getsize(p) if os.path.exists(p) else -1 for p in [self.stdout_path, *self.watch])

    def wait_stable(self, until=lambda: True, timeout=120):
        """Until `until()` holds and the outputs have not grown for QUIET seconds."""
        deadline = time.monotonic() + timeout
        last, since = None, time.monotonic()
        while True:
            if self.proc.poll() is not None:
                raise Failure(f"{self.name}: Fluent Bit exited with {self.proc.returncode}:\n{self.stderr_tail()}")
            now = self.sizes()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= QUIET and until():
                return
            if time.monotonic() > deadline:
                raise Failure(f"{self.name}: outputs not complete after {timeout}s (sizes {now}):\n{self.stderr_tail()}")
            time.sleep(0.25)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise Failure(f"{self.name}: Fluent Bit did not stop within 30 s of SIGTERM")
        check(rc == 0, f"{self.name}: Fluent Bit exited with {rc} after SIGTERM:\n{self.stderr_tail()}")
        errors = [l for l in open(self.stderr_path, errors="replace")
                  if re.search(r"\[\s*error\]|Exception|invalid JSON format|double free|\bpanicked\b", l)]
        check(not errors, f"{self.name}: errors in Fluent Bit's log:\n" + "".join(errors[:10]))

    def stderr_tail(self):
        return "".join(open(self.stderr_path, errors="replace").readlines()[-25:])


def detector_dir(config_path):
    text = open(config_path).read()
    m = re.search(r"accessible_paths:?\s+(\S+)", text, re.I)
    check(m, f"{config_path}: no Accessible_Paths")
    return m.group(1).split(",")[0]


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f)


def settings(path, **changes):
    """The module's settings: the shipped file with `changes` (user data in the scratch root)."""
    base = json.load(open(os.path.join(ROOT, "pipeline-examples/fluent-bit/detector", os.path.basename(path))))
    base.update(changes)
    write_json(path, base)


def outputs(root, family):
    if family == "advanced":
        return (os.path.join(root, "var/log/fluent-bit/cloudtrail-archive.ndjson"),
                os.path.join(root, "var/log/dynamodb-scan-detector/alerts.ndjson"))
    return os.path.join(root, "var/log/fluent-bit/cloudtrail.ndjson"), None


def collect(fb, root, family):
    """(archive records, alerts). Minimal: the alerts ride in their records, which are
    also copied to stdout; both copies must agree."""
    archive_path, alerts_path = outputs(root, family)
    archive = read_ndjson(archive_path)
    if family == "advanced":
        alerts = read_ndjson(alerts_path)
        for a in alerts:
            check("kibana.alert.uuid" in a, f"{fb.name}: an alert output record is no alert: {json.dumps(a)[:300]}")
        return archive, alerts
    alerts = []
    for r in archive:
        alerts += r.pop("dynamodb_scan_alerts", [])
    copied = []
    for r in read_ndjson(fb.stdout_path):
        check("dynamodb_scan_alerts" in r, f"{fb.name}: a stdout record carries no alerts: {json.dumps(r)[:300]}")
        copied += r["dynamodb_scan_alerts"]
    check(sorted(map(canon, copied)) == sorted(map(canon, alerts)),
          f"{fb.name}: the alerts on stdout ({len(copied)}) differ from those in the archive ({len(alerts)})")
    return archive, alerts


# ---------------------------------------------------------------- the runs

def try_it(fb, blocks, scratch, expected_ids):
    """The README's try-it, verbatim: the shipped settings (5 min window, clock time)."""
    root, args = run_blocks(blocks, ["install", "feed-s3", "run-advanced"], scratch)
    check(args and args[0] == "-c" and args[1] == os.path.join(root, CONF_DIR, "advanced.conf"),
          f"the README's run line is not `fluent-bit -c .../advanced.conf`: {args}")
    events = sum(len(json.loads(gzip.open(f).read())["Records"]) for f in sample_files())
    archive_path, alerts_path = outputs(root, "advanced")
    run = FluentBit(fb, args, root, "try-it", [archive_path, alerts_path])
    run.wait_stable(until=lambda: len(read_ndjson(archive_path)) >= events)
    run.stop()
    archive, alerts = collect(run, root, "advanced")
    check(len(archive) == events, f"try-it: {len(archive)} archived events, the sample has {events}")
    same_alerts(alerts, expected_ids, "try-it (shipped settings)", whole=False)
    log(f"try-it (README blocks, advanced.conf, shipped settings): {len(alerts)} alerts = CLI's (all but the detection time); "
        f"{len(archive)} events archived = the sample's; {run.elapsed():.1f}s")


def config_run(fb, blocks, scratch, config, corpus, hostile, expected_alerts, extra_alert_ids):
    family = config.split(".")[0]
    feed = "feed-s3" if family == "advanced" else "feed-ndjson"
    root, _ = run_blocks(blocks, ["install", feed], scratch)
    conf_path = os.path.join(root, CONF_DIR, config)
    home = detector_dir(conf_path)
    check(home.startswith(root + "/"), f"{config}: Accessible_Paths {home} is outside the scratch root")
    write_json(os.path.join(home, "dynamodb-scan-detector.json"), {"reorder_window": "0s"})
    settings(os.path.join(home, "dynamodb-scan-detector.fluent-bit.json"), detection_time="event")
    place(os.path.join(root, "var/log/cloudtrail/corpus.ndjson"), corpus)
    place(os.path.join(root, "var/log/cloudtrail/hostile.ndjson"), b"\n".join(hostile.values()) + b"\n")

    if family == "advanced":
        sample_records = [compact(r) for f in sample_files() for r in json.loads(gzip.open(f).read())["Records"]]
    else:
        sample_records = [s3_line(f) for f in sample_files()]
    expected_lines = sample_records + corpus.splitlines() + list(hostile.values())
    archive_path, alerts_path = outputs(root, family)
    watch = [archive_path] + ([alerts_path] if alerts_path else [])
    run = FluentBit(fb, ["-c", conf_path], root, config, watch)
    run.wait_stable(until=lambda: os.path.exists(archive_path) and
                    open(archive_path, "rb").read().count(b"\n") >= len(expected_lines))
    run.stop()
    archive, alerts = collect(run, root, family)
    same_archive(archive, expected_lines, config)
    # The one record Fluent Bit judges and the command line cannot: tail's JSON parser
    # accepts invalid UTF-8 and Fluent Bit hands the module text with the bad bytes
    # escaped, so that Scan alerts; the CLI counts the raw line unparseable.
    extra = [a for a in alerts if alert_key(a)[0] in extra_alert_ids]
    check(len(extra) == len(extra_alert_ids), f"{config}: expected alerts for {extra_alert_ids}, got {len(extra)}")
    same_alerts([a for a in alerts if a not in extra], expected_alerts, config)
    deep = [r for r in archive if "hostile-deep" in r.get("log", "")]
    check(len(deep) == 1 and deep[0]["log"] == hostile["deep"].decode(), f"{config}: the 200-deep line, as text")
    log(f"{config}: {len(alerts)} alerts = CLI's {len(expected_alerts)} + {len(extra)} (invalid UTF-8 Scan); "
        f"archive {len(archive)} records = {len(expected_lines)} input records, each once "
        f"(sample {len(sample_records)}, generated {len(corpus.splitlines())}, hostile {len(hostile)}); "
        f"{run.elapsed():.1f}s")


class Restart:
    """advanced.yaml with the shipped settings and a 10 s reorder window: days 1-2 of the sample, a first sighting
    the window holds (released by the heartbeat), SIGTERM, then days 3-4 and the same
    principals again."""
    CONFIG = "advanced.yaml"

    def __init__(self, fb, blocks, scratch, template):
        self.fb = fb
        self.root, _ = run_blocks(blocks, ["install"], scratch)
        self.conf = os.path.join(self.root, CONF_DIR, self.CONFIG)
        self.home = detector_dir(self.conf)
        cfg = json.load(open(os.path.join(ROOT, "pipeline-examples/fluent-bit/detector/dynamodb-scan-detector.json")))
        cfg["reorder_window"] = "10s"
        write_json(os.path.join(self.home, "dynamodb-scan-detector.json"), cfg)
        # The shipped settings as installed: detection_time clock (the wall clock
        # releases held events) and snapshot_every 60s.
        self.archive_path, self.alerts_path = outputs(self.root, "advanced")
        self.ndjson = os.path.join(self.root, "var/log/cloudtrail/restart.ndjson")
        place(self.ndjson, b"")

        first, second = sample_files(["02", "03"]), sample_files(["04", "05"])
        last = max(r["eventTime"] for f in first for r in json.loads(gzip.open(f).read())["Records"])
        check(last < "2026-11-03T23:59:00Z", f"the sample's day 2 ends at {last}")
        self.held = compact(scan_by(template, "night-owl", "2026-11-03T23:59:30Z", "night-owl-1")) + b"\n"
        self.again = compact(scan_by(template, "night-owl", "2026-11-04T06:00:00Z", "night-owl-2")) + b"\n"
        self.first, self.second = first, second
        part1 = b"".join(s3_line(f) for f in first)
        part2 = b"".join(s3_line(f) for f in second)
        self.before_held = cli_alerts(["-"], part1, "10s")
        self.expect1 = cli_alerts(["-"], part1 + self.held, "10s")
        everything = cli_alerts(["-"], part1 + self.held + part2 + self.again, "10s")
        first_run = collections.Counter(map(canon, self.expect1))
        self.expect2 = []
        for a in everything:
            if first_run[canon(a)]:
                first_run[canon(a)] -= 1
            else:
                self.expect2.append(a)
        check(not +first_run, "the first run's alerts are among the whole data's")
        held_alert = [a for a in self.expect1 if alert_key(a)[0] == "night-owl-1"]
        check(len(held_alert) == 1 and len(self.expect1) == len(self.before_held) + 1,
              "the CLI alerts once for the held Scan")
        # Without the first run's state, the second run's data alerts on principals the
        # first run already alerted on: the check below can fail.
        terms1 = {t for a in self.expect1 for t in a["kibana.alert.new_terms"]}
        alone = cli_alerts(["-"], part2 + self.again, "10s")
        self.repeats_without_state = sorted({t for a in alone for t in a["kibana.alert.new_terms"]} & terms1)
        check(self.repeats_without_state and self.expect2, "the restart data must discriminate")
        self.terms1 = terms1
        self.lines1 = [compact(r) for f in first for r in json.loads(gzip.open(f).read())["Records"]] + [self.held]
        self.lines2 = [compact(r) for f in second for r in json.loads(gzip.open(f).read())["Records"]] + [self.again]

    def archived(self):
        return open(self.archive_path, "rb").read().count(b"\n") if os.path.exists(self.archive_path) else 0

    def start_first(self):
        feed_s3(self.root, self.first)
        self.run = FluentBit(self.fb, ["-c", self.conf], self.root, "restart-1", [self.archive_path, self.alerts_path])
        self.run.wait_stable(until=lambda: self.archived() >= len(self.lines1) - 1)
        same_alerts(read_ndjson(self.alerts_path), self.before_held, "restart run 1, days 1-2", whole=False)
        append(self.ndjson, self.held)
        self.run.wait_stable(until=lambda: self.archived() >= len(self.lines1))
        out = read_ndjson(self.alerts_path)
        check(self.run.elapsed() < 55, f"restart run 1 too slow ({self.run.elapsed():.0f}s) to see the held "
                                       "alert before the first heartbeat")
        check(not [a for a in out if alert_key(a)[0] == "night-owl-1"],
              "the held first sighting came out before the heartbeat (is the reorder window 10s?)")
        log(f"restart run 1: days 1-2 archived, {len(out)} alerts = CLI's; the held first sighting is held "
            f"({self.run.elapsed():.1f}s after start)")

    def finish_first(self):
        held_at = None
        while held_at is None:
            if [a for a in read_ndjson(self.alerts_path) if alert_key(a)[0] == "night-owl-1"]:
                held_at = self.run.elapsed()
            else:
                check(self.run.elapsed() < 150, "the held alert did not come out within 150 s (no heartbeat?)")
                check(self.run.proc.poll() is None, f"restart run 1 died:\n{self.run.stderr_tail()}")
                time.sleep(0.5)
        # No wait for a snapshot: the module journals each new principal and each held
        # Scan before its call returns, so a stop right after the held alert must lose
        # nothing (run 2 judges it).
        snapshot = os.path.join(self.home, "dynamodb-scan-detector.snapshot")
        written = f"by {self.run.elapsed():.1f}s" if os.path.exists(snapshot) else "none yet (journal only)"
        self.run.wait_stable()
        self.run.stop()
        same_alerts(read_ndjson(self.alerts_path), self.expect1, "restart run 1", whole=False)
        # The heartbeat that released the held alert came back as the module's counters,
        # routed to a file of its own (the alert beside it went to the alerts file).
        stats_path = os.path.join(self.root, "var/log/dynamodb-scan-detector/stats.ndjson")
        stats = read_ndjson(stats_path) if os.path.exists(stats_path) else []
        check(stats and all(r.get("dynamodb_scan_detector") == "stats" and "dynamodb_scan_alerts" not in r
                            for r in stats), f"stats records in {stats_path}: {stats[:2]}")
        last = stats[-1]["stats"]
        check(last["fluent_bit"]["heartbeats"] == len(stats) and last["detector"]["alerts"] == len(self.expect1),
              f"the last stats record counts {len(stats)} heartbeat(s) and {len(self.expect1)} alerts: {last}")
        log(f"restart run 1: {len(stats)} stats record(s) on their own tag; the last: "
            f"{last['fluent_bit']['calls']} calls, {last['detector']['alerts']} alerts")
        check(held_at >= 55, f"the held alert came out at {held_at:.0f}s, before the first heartbeat")
        self.snapshot_note = written
        log(f"restart run 1: the heartbeat released the held alert {held_at:.1f}s after start; "
            f"{len(self.expect1)} alerts = CLI's; snapshot written: {written}; stopped with SIGTERM")

    def second_run(self):
        feed_s3(self.root, self.second)
        append(self.ndjson, self.again)
        run = FluentBit(self.fb, ["-c", self.conf], self.root, "restart-2", [self.archive_path, self.alerts_path])
        run.wait_stable(until=lambda: self.archived() >= len(self.lines1) + len(self.lines2))
        run.stop()
        alerts = read_ndjson(self.alerts_path)
        n1 = len(self.expect1)
        same_alerts(alerts[:n1], self.expect1, "restart, run 1's alerts", whole=False)
        second = alerts[n1:]
        repeated = sorted({t for a in second for t in a["kibana.alert.new_terms"]} & self.terms1)
        check(not repeated, f"restart run 2 alerted again on {repeated}: the state did not survive the stop "
                            f"(snapshot written in run 1: {self.snapshot_note})")
        same_alerts(second, self.expect2, "restart run 2", whole=False)
        same_archive(read_ndjson(self.archive_path), self.lines1 + self.lines2, "restart (both runs)")
        log(f"restart run 2: {len(second)} alerts = CLI's over the whole data minus run 1's; none repeated "
            f"(without the state it would repeat {len(self.repeats_without_state)}); archive "
            f"{len(self.lines1) + len(self.lines2)} records, each once across both runs; {run.elapsed():.1f}s")


def rules_run(fb, blocks, scratch):
    """The module built with `rule-files` and rules.yaml, installed by the README's blocks
    with six of Elastic's rule files: the two weeks of tests/fixtures/aws-family.ndjson in
    two runs with a SIGTERM between them give the command line's `--rules` alerts, each
    once (the second run repeats none of the first's: the rules' snapshot and journals),
    and archive every record once."""
    root, args = run_blocks(blocks, ["install", "install-rules", "run-rules"], scratch)
    conf = os.path.join(root, CONF_DIR, "rules.yaml")
    check(args == ["-c", conf], f"the README's rules run line is not `fluent-bit -c .../rules.yaml`: {args}")
    home = detector_dir(conf)
    check(os.path.isdir(os.path.join(home, "rules")), f"{home}: no rules directory")
    # Reproducible alerts, each as its record is judged (the CLI with the same settings).
    write_json(os.path.join(home, "dynamodb-scan-detector.json"), {"max_terms": 1000000, "reorder_window": "0s"})
    # `0s`: a snapshot at every call that changed the state. The two weeks replay in
    # seconds, so with the shipped 60s no snapshot would come before the stop, and the
    # last-seen times of known terms (which only snapshots keep) would be those of their
    # first sightings: alice's daily secret reads would look 8 days old to the 5-day rule
    # after the restart, and alert again (README: replaying old logs).
    settings(os.path.join(home, "dynamodb-scan-detector.fluent-bit.json"), detection_time="event",
             snapshot_every="0s")
    family = os.path.join(root, "var/log/cloudtrail/aws-family.ndjson")
    lines = open(family, "rb").read().splitlines()
    os.remove(family)  # fed in two halves below, as two files
    half = len(lines) // 2
    rules = os.path.join(ROOT, "tests/data/third-party/elastic-detection-rules")
    want = cli_alerts(["--rules", rules, os.path.join(ROOT, "tests/fixtures/aws-family.ndjson")])
    want1 = cli_alerts(["--rules", rules, "-"], b"\n".join(lines[:half]) + b"\n")
    check(len(want) >= 15 and 0 < len(want1) < len(want), f"the two weeks' alerts: {len(want1)} then {len(want)}")
    archive = os.path.join(root, "var/log/fluent-bit/cloudtrail-rules.ndjson")
    alerts_path = os.path.join(root, "var/log/dynamodb-scan-detector-rules/alerts.ndjson")

    def archived():
        return open(archive, "rb").read().count(b"\n") if os.path.exists(archive) else 0

    def alerts():
        return [a for r in read_ndjson(alerts_path) for a in r.get("dynamodb_scan_alerts", [])]

    place(os.path.join(root, "var/log/cloudtrail/family-1.ndjson"), b"\n".join(lines[:half]) + b"\n")
    run = FluentBit(fb, args, root, "rules-1", [archive, alerts_path])
    run.wait_stable(until=lambda: archived() >= half)
    run.stop()
    started = open(run.stderr_path, errors="replace").read()
    check("6 New Terms rules load, 0 refused" in started, f"rules-1: the start line:\n{run.stderr_tail()}")
    first = alerts()
    same_alerts(first, want1, "rules run 1 (first week)")
    place(os.path.join(root, "var/log/cloudtrail/family-2.ndjson"), b"\n".join(lines[half:]) + b"\n")
    run2 = FluentBit(fb, args, root, "rules-2", [archive, alerts_path])
    run2.wait_stable(until=lambda: archived() >= len(lines))
    run2.stop()
    got = alerts()
    same_alerts(got, want, "rules runs 1 and 2 (two weeks, a SIGTERM between)")
    records = read_ndjson(archive)
    annotated = [r.pop("dynamodb_scan_alerts") for r in records if "dynamodb_scan_alerts" in r]
    check(sum(map(len, annotated)) == len(got), f"rules: the archive's records carry {sum(map(len, annotated))} alerts")
    same_archive(records, lines, "rules runs 1 and 2")
    names = sorted({a["kibana.alert.rule.name"] for a in got})
    log(f"rules.yaml (rule-files module, six of Elastic's rules): {len(first)} alerts in run 1, "
        f"{len(got) - len(first)} more after a SIGTERM and a restart, = CLI --rules ({len(want)}), none repeated; "
        f"{len(names)} rules alerted; archive {len(lines)} records, each once")

    # Without the access-key rule (it requires only the text AKIA, which every record of
    # the two weeks holds, so with it none is rejected), most records are rejected by
    # Fluent Bit's own search for the rules' needles: the alerts must still be the
    # command line's.
    root, args = run_blocks(blocks, ["install", "install-rules", "run-rules"], scratch)
    home = detector_dir(os.path.join(root, CONF_DIR, "rules.yaml"))
    akia = "credential_access_iam_long_term_access_key_first_seen_from_source_ip.toml"
    os.remove(os.path.join(home, "rules", akia))
    write_json(os.path.join(home, "dynamodb-scan-detector.json"), {"max_terms": 1000000, "reorder_window": "0s"})
    settings(os.path.join(home, "dynamodb-scan-detector.fluent-bit.json"), detection_time="event")
    five = sorted(f for f in os.listdir(rules) if f.endswith(".toml") and f != akia)
    want5 = cli_alerts([a for f in five for a in ("--rules", os.path.join(rules, f))]
                       + [os.path.join(ROOT, "tests/fixtures/aws-family.ndjson")])
    archive = os.path.join(root, "var/log/fluent-bit/cloudtrail-rules.ndjson")
    alerts_path = os.path.join(root, "var/log/dynamodb-scan-detector-rules/alerts.ndjson")
    run3 = FluentBit(fb, args, root, "rules-five", [archive, alerts_path])
    run3.wait_stable(until=lambda: archived() >= len(lines))
    run3.stop()
    got5 = alerts()
    check(want5 and len(want5) < len(want), f"five rules: {len(want5)} alerts")
    same_alerts(got5, want5, "rules.yaml, five rules (the host's search rejecting records)")
    log(f"rules.yaml, five rules (without the access-key rule, records rejected by Fluent Bit's strstr): "
        f"{len(got5)} alerts = CLI --rules")


def main():
    fb = fluent_bit_path()
    version = subprocess.run([fb, "--version"], stdout=subprocess.PIPE, text=True).stdout.split("\n")[0]
    log(f"Fluent Bit: {fb} ({version})")
    for build in (["--lib", "--target", "wasm32-wasip1", "--features", "fluent-bit"],
                  ["--bin", "dynamodb-scan-detector"], ["--example", "generate"]):
        subprocess.run(["cargo", "build", "--locked", "--release", "--quiet", *build], cwd=ROOT, check=True)
    # The rule-files module, as the README's install-rules block builds it (its own
    # target directory, so that the default module's build stays).
    subprocess.run(["cargo", "build", "--locked", "--release", "--quiet", "--lib", "--target", "wasm32-wasip1",
                    "--features", "fluent-bit,rule-files"], cwd=ROOT, check=True,
                   env=dict(os.environ, CARGO_TARGET_DIR=os.path.join(ROOT, "target/fluent-bit-rules")))
    blocks = readme_blocks()
    scratch = tempfile.mkdtemp(prefix="fb-real-host-")
    ok = False
    try:
        template = scan_template()
        restart = Restart(fb, blocks, scratch, template)
        restart.start_first()  # runs on in the background until its heartbeat

        corpus = subprocess.run([GENERATE, "corpus", "typical", "raw", str(CORPUS_EVENTS)],
                                stdout=subprocess.PIPE, check=True).stdout
        hostile = hostile_lines(template)
        files = {n: os.path.join(scratch, n) for n in ("corpus.ndjson", "hostile.ndjson", "sample.ndjson")}
        open(files["corpus.ndjson"], "wb").write(corpus)
        open(files["hostile.ndjson"], "wb").write(b"\n".join(hostile.values()) + b"\n")
        sample = b"".join(s3_line(f) for f in sample_files())
        # The reference, in two orders (sample first, sample last): the same alerts, so
        # the order in which tail interleaves the files cannot matter.
        ref = cli_alerts(["-", files["corpus.ndjson"], files["hostile.ndjson"]], sample)
        ref2 = cli_alerts([files["corpus.ndjson"], files["hostile.ndjson"], "-"], sample)
        same_alerts(ref2, ref, "the command line, sample read last")
        ids = {alert_key(a)[0] for a in ref}
        check({"hostile-big", "hostile-escaped"} <= ids and not ids & {"hostile-utf8", "hostile-deep"},
              f"the command line's verdicts on the hostile lines: {sorted(i for i in ids if i.startswith('hostile'))}")
        log(f"command line: {len(ref)} alerts on the sample, {CORPUS_EVENTS} generated events and "
            f"{len(hostile)} hostile lines (the 2 MB and the escaped Scan alert; invalid UTF-8 and 200-deep are unparseable)")

        try_it(fb, blocks, scratch, cli_alerts([DATA], window="5m"))
        for config in ("minimal.conf", "minimal.yaml", "advanced.conf", "advanced.yaml"):
            config_run(fb, blocks, scratch, config, corpus, hostile, ref, {"hostile-utf8"})

        restart.finish_first()
        restart.second_run()
        rules_run(fb, blocks, scratch)
        ok = True
    finally:
        for proc in FluentBit.running:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if ok or not os.environ.get("KEEP_SCRATCH"):
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            print(f"scratch kept: {scratch}", file=sys.stderr)
    log("all real-host checks passed")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)

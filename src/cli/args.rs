//! Command-line options.

use std::ffi::OsString;
use std::path::PathBuf;

use dynamodb_scan_detector::input::documents::Limits;
use dynamodb_scan_detector::ProfileName;

pub const USAGE: &str = "\
Usage: dynamodb-scan-detector [OPTIONS] [INPUT...]

Reads CloudTrail (S3 files, NDJSON, JSON arrays, EventBridge, CloudWatch Logs, ECS
documents; .gz read transparently) from files, directories or standard input (`-`,
the default), and writes NDJSON to standard output. Files, named or found in
directories, are read in time order: CloudTrail's by the delivery stamp in their names
(across accounts and regions), other files first, by path; digest files are skipped.

Options:
  -o, --output MODE        alerts (default): alert documents only
                           passthrough: every input event, each alert right after
                           the record at which it was decided
                           annotate: every event, alert fields merged into the trigger
                           (an alert decided later: a line of its own)
  -c, --config FILE        the detector's JSON config document
  -p, --profile NAME       seed (rule v3, the default) or current (Elastic's v6)
      --reorder-window D   judge matching events in time order within D (overrides
                           the config's reorder_window, default 5m; 0s: on arrival)
  -s, --state FILE         restore state from FILE if present; save it at exit and
                           every --state-every seconds (atomically)
      --state-every SECS   how often to save --state while running (default 60)
  -l, --learn PATH         prime the state from PATH without alerting (repeatable)
      --detection-time T   now (default) or event: the alert's @timestamp is the
                           event's time, so output is byte-for-byte reproducible
      --stats              print the detector's counters as JSON on stderr at exit
      --max-line-bytes N   longest NDJSON line accepted (default 67108864)
      --max-document-bytes N  largest non-NDJSON document read whole (default 536870912)
      --validate-all       parse and classify every record, even those the byte-level
                           pre-check proves cannot hold a Scan (slower; every malformed
                           record is then reported, not only counted as prefiltered)
      --no-progress        never draw the progress bar (it is drawn only on a terminal)
      --rules PATH         run Elastic's New Terms rules from their detection-rules
                           files instead of the built-in rule (a file, or a directory
                           walked for *.toml; repeatable). Refused rules are listed on
                           stderr and the rest run; rules of other types are skipped
      --strict-rules       with --rules: any refused or unreadable rule file is an
                           error (status 2)
      --check-rules PATH   read rule files as --rules does, say which New Terms rules
                           load (query and fields supported here) and why others are
                           refused, then exit (status 2 if any is refused or
                           unreadable)
  -h, --help               this text
  -V, --version            the version

Exit status: 0 success, 1 an input could not be read, 2 usage or config error.";

/// What the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Args {
    pub inputs: Vec<PathBuf>,
    pub output: OutputMode,
    pub config: Option<PathBuf>,
    pub profile: Option<ProfileName>,
    pub reorder_window: Option<String>,
    pub state: Option<PathBuf>,
    pub state_every_secs: u64,
    pub learn: Vec<PathBuf>,
    pub detection_time_event: bool,
    pub stats: bool,
    /// `--max-line-bytes` and `--max-document-bytes` (the core's defaults).
    pub limits: Limits,
    pub progress: bool,
    pub validate_all: bool,
    /// `--rules`: rule files or directories to run instead of the built-in rule.
    pub rules: Vec<PathBuf>,
    pub strict_rules: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputMode {
    Alerts,
    Passthrough,
    Annotate,
}

/// What parsing produced: options to run with, a text to print and exit 0, or rule
/// files to check.
pub enum Parsed {
    Run(Args),
    Print(String),
    CheckRules(Vec<PathBuf>),
}

impl Default for Args {
    fn default() -> Self {
        Args {
            inputs: Vec::new(),
            output: OutputMode::Alerts,
            config: None,
            profile: None,
            reorder_window: None,
            state: None,
            state_every_secs: 60,
            learn: Vec::new(),
            detection_time_event: false,
            stats: false,
            limits: Limits::default(),
            progress: true,
            validate_all: false,
            rules: Vec::new(),
            strict_rules: false,
        }
    }
}

/// Parse the command line; an `Err` is a one-line message naming the problem.
pub fn parse(argv: impl IntoIterator<Item = OsString>) -> Result<Parsed, String> {
    use lexopt::prelude::*;
    let mut a = Args::default();
    let mut check_rules = Vec::new();
    let mut p = lexopt::Parser::from_iter(argv);
    let text = |v: OsString, what: &str| {
        v.into_string()
            .map_err(|_| format!("{what} is not valid UTF-8"))
    };
    while let Some(arg) = p.next().map_err(|e| e.to_string())? {
        match arg {
            Short('o') | Long("output") => {
                a.output = match text(p.value().map_err(|e| e.to_string())?, "--output")?.as_str() {
                    "alerts" => OutputMode::Alerts,
                    "passthrough" => OutputMode::Passthrough,
                    "annotate" => OutputMode::Annotate,
                    other => {
                        return Err(format!(
                            "--output: unknown mode `{other}` (alerts, passthrough or annotate)"
                        ))
                    }
                }
            }
            Short('c') | Long("config") => {
                a.config = Some(p.value().map_err(|e| e.to_string())?.into())
            }
            Short('p') | Long("profile") => {
                let name = text(p.value().map_err(|e| e.to_string())?, "--profile")?;
                a.profile = Some(
                    serde_json::from_value(serde_json::Value::String(name.clone())).map_err(
                        |_| format!("--profile: unknown profile `{name}` (seed or current)"),
                    )?,
                );
            }
            Long("reorder-window") => {
                a.reorder_window = Some(text(
                    p.value().map_err(|e| e.to_string())?,
                    "--reorder-window",
                )?)
            }
            Short('s') | Long("state") => {
                a.state = Some(p.value().map_err(|e| e.to_string())?.into())
            }
            Long("state-every") => a.state_every_secs = number(&mut p, "--state-every")?,
            Short('l') | Long("learn") => {
                a.learn.push(p.value().map_err(|e| e.to_string())?.into())
            }
            Long("detection-time") => {
                a.detection_time_event =
                    match text(p.value().map_err(|e| e.to_string())?, "--detection-time")?.as_str()
                    {
                        "now" => false,
                        "event" => true,
                        other => {
                            return Err(format!(
                                "--detection-time: unknown value `{other}` (now or event)"
                            ))
                        }
                    }
            }
            Long("stats") => a.stats = true,
            Long("max-line-bytes") => a.limits.max_line = number(&mut p, "--max-line-bytes")?,
            Long("max-document-bytes") => {
                a.limits.max_document = number(&mut p, "--max-document-bytes")?
            }
            Long("no-progress") => a.progress = false,
            Long("validate-all") => a.validate_all = true,
            Long("rules") => a
                .rules
                .push(PathBuf::from(p.value().map_err(|e| e.to_string())?)),
            Long("strict-rules") => a.strict_rules = true,
            Long("check-rules") => {
                check_rules.push(PathBuf::from(p.value().map_err(|e| e.to_string())?))
            }
            Short('h') | Long("help") => return Ok(Parsed::Print(USAGE.to_owned())),
            Short('V') | Long("version") => {
                return Ok(Parsed::Print(format!(
                    "dynamodb-scan-detector {}",
                    dynamodb_scan_detector::VERSION
                )))
            }
            Value(v) => a.inputs.push(v.into()),
            _ => return Err(arg.unexpected().to_string()),
        }
    }
    if !check_rules.is_empty() {
        if !a.inputs.is_empty() {
            return Err(
                "--check-rules checks rule files and reads no logs: give no inputs with it".into(),
            );
        }
        if !a.rules.is_empty() || a.strict_rules {
            return Err("--check-rules checks the files it names: give no --rules with it".into());
        }
        return Ok(Parsed::CheckRules(check_rules));
    }
    if a.strict_rules && a.rules.is_empty() {
        return Err("--strict-rules needs --rules".into());
    }
    if !a.rules.is_empty() && a.profile.is_some() {
        return Err("--profile chooses a built-in rule: give it or --rules, not both".into());
    }
    if a.inputs.is_empty() {
        a.inputs.push("-".into());
    }
    Ok(Parsed::Run(a))
}

fn number<T: std::str::FromStr>(p: &mut lexopt::Parser, what: &str) -> Result<T, String> {
    let v = p.value().map_err(|e| e.to_string())?;
    let s = v.to_string_lossy().into_owned();
    s.parse()
        .map_err(|_| format!("{what}: `{s}` is not a number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Args, String> {
        let argv = std::iter::once("x")
            .chain(list.iter().copied())
            .map(OsString::from);
        match parse(argv)? {
            Parsed::Run(a) => Ok(a),
            Parsed::Print(_) => Err("printed".into()),
            Parsed::CheckRules(_) => Err("checks rules".into()),
        }
    }

    #[test]
    fn parses_every_option() {
        let a = args(&[
            "-o",
            "passthrough",
            "--config",
            "c.json",
            "--profile",
            "current",
            "--state",
            "s.bin",
            "--state-every",
            "5",
            "--learn",
            "h1",
            "-l",
            "h2",
            "--detection-time",
            "event",
            "--stats",
            "--max-line-bytes",
            "10",
            "--no-progress",
            "a",
            "-",
        ])
        .expect("valid");
        assert_eq!(a.output, OutputMode::Passthrough);
        assert_eq!(a.profile, Some(ProfileName::Current));
        assert_eq!(a.learn.len(), 2);
        assert_eq!(a.inputs, [PathBuf::from("a"), PathBuf::from("-")]);
        assert!(a.detection_time_event && a.stats && !a.progress);
        assert_eq!((a.state_every_secs, a.limits.max_line), (5, 10));
        assert_eq!(args(&[]).expect("valid").inputs, [PathBuf::from("-")]);
    }

    /// The help text states the core's limits.
    #[test]
    fn the_help_gives_the_default_limits() {
        let limits = Limits::default();
        assert!(USAGE.contains(&format!(
            "--max-line-bytes N   longest NDJSON line accepted (default {})",
            limits.max_line
        )));
        assert!(USAGE.contains(&format!("read whole (default {})", limits.max_document)));
    }

    #[test]
    fn errors_name_the_problem() {
        for (list, want) in [
            (&["--output", "all"][..], "--output: unknown mode `all`"),
            (&["--profile", "v9"][..], "--profile: unknown profile `v9`"),
            (
                &["--detection-time", "later"][..],
                "--detection-time: unknown value",
            ),
            (
                &["--state-every", "soon"][..],
                "--state-every: `soon` is not a number",
            ),
            (&["--frobnicate"][..], "--frobnicate"),
            (&["--config"][..], "--config"),
        ] {
            let err = args(list).expect_err("invalid");
            assert!(err.contains(want), "{list:?}: {err}");
        }
    }
}

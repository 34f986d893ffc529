//! The command-line host: reads CloudTrail from files, directories or standard input,
//! runs the detector, and writes NDJSON. Marshalling and I/O only; every decision about
//! events is the core's.

mod args;
mod engine;
mod output;
mod progress;
#[cfg(not(target_family = "wasm"))]
mod read_ahead;
mod reader;
// The rule-file reader is not in the JavaScript (wasm32-unknown-unknown) build.
#[cfg(rule_files)]
mod rule_check;
mod source;
mod state_file;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use dynamodb_scan_detector::{Context, DetectorOptions, InputError, Verdict};

use args::{Args, Parsed};
use dynamodb_scan_detector::input::documents::Item;
use engine::Engine;
use output::Output;
use progress::Progress;
use source::Source;
use state_file::StateFile;

/// Exit statuses.
const OK: i32 = 0;
const IO_ERROR: i32 = 1;
const USAGE: i32 = 2;

/// At most this many bad inputs are listed at the end (all are counted).
const MAX_LISTED_PROBLEMS: usize = 20;

pub fn main() -> i32 {
    let args = match args::parse(std::env::args_os()) {
        Ok(Parsed::Run(a)) => a,
        Ok(Parsed::Print(text)) => {
            let _ = writeln!(io::stdout(), "{text}");
            return OK;
        }
        #[cfg(not(rule_files))]
        Ok(Parsed::CheckRules(paths)) => {
            return usage_error(&format!(
                "--check-rules ({} paths): not in this build",
                paths.len()
            ))
        }
        #[cfg(rule_files)]
        Ok(Parsed::CheckRules(paths)) => {
            return match rule_check::check(&paths, &mut io::stdout().lock()) {
                Ok(found) if found.refused == 0 && found.unreadable == 0 => OK,
                Ok(_) => USAGE,
                Err(e) => {
                    eprintln!("dynamodb-scan-detector: {e}");
                    IO_ERROR
                }
            };
        }
        Err(msg) => return usage_error(&format!("{msg} (see --help)")),
    };
    match run(&args) {
        Ok(status) => status,
        Err(Fatal::Usage(msg)) => usage_error(&msg),
        Err(Fatal::Io(msg)) => {
            eprintln!("dynamodb-scan-detector: {msg}");
            IO_ERROR
        }
    }
}

fn usage_error(msg: &str) -> i32 {
    eprintln!("dynamodb-scan-detector: {msg}");
    USAGE
}

pub(super) enum Fatal {
    Usage(String),
    Io(String),
}

/// The config document and the options given on the command line, and how errors in
/// them are introduced.
pub(super) fn load_options(args: &Args) -> Result<(DetectorOptions, String), Fatal> {
    let mut options = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Fatal::Usage(format!("--config {}: {e}", path.display())))?;
            serde_json::from_str::<DetectorOptions>(&text).map_err(|e| {
                Fatal::Usage(format!(
                    "--config {}: not a valid config document: {e}",
                    path.display()
                ))
            })?
        }
        None => DetectorOptions::default(),
    };
    if args.profile.is_some() {
        options.profile = args.profile;
    }
    if args.reorder_window.is_some() {
        options.reorder_window = args.reorder_window.clone();
    }
    let what = args.config.as_ref().map_or_else(
        || "config".to_owned(),
        |p| format!("--config {}", p.display()),
    );
    Ok((options, what))
}

/// Everything one run accumulates besides the detector.
struct Run {
    ctx_event_time: bool,
    problems: Vec<String>,
    problem_count: u64,
    io_failed: bool,
    bytes: Arc<AtomicU64>,
}

impl Run {
    fn problem(&mut self, msg: String) {
        self.problem_count += 1;
        if self.problems.len() < MAX_LISTED_PROBLEMS {
            self.problems.push(msg);
        }
    }

    fn context(&self) -> Context {
        if self.ctx_event_time {
            Context::event_time()
        } else {
            Context::clock(now_millis)
        }
    }
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn run(args: &Args) -> Result<i32, Fatal> {
    let mut state = args
        .state
        .clone()
        .map(|p| StateFile::new(p, args.state_every_secs));
    let mut detector = engine::load(args, state.as_ref())?;
    detector.set_prefilter(!args.validate_all);
    let mut run = Run {
        ctx_event_time: args.detection_time_event,
        problems: Vec::new(),
        problem_count: 0,
        io_failed: false,
        bytes: Arc::new(AtomicU64::new(0)),
    };

    let (learn_sources, learn_errors) = source::expand(&args.learn);
    let (sources, errors) = source::expand(&args.inputs);
    for (path, e) in learn_errors.iter().chain(&errors) {
        report_io(&mut run, path, e);
    }
    let total: Option<u64> = learn_sources.iter().chain(&sources).map(Source::size).sum();
    let mut progress = Progress::new(args.progress && io::stderr().is_terminal(), total);

    for src in &learn_sources {
        read_source(
            src,
            args,
            &mut run,
            &mut progress,
            &mut |d, doc, _line, run| {
                d.learn(doc, run.context());
                Ok(())
            },
            &mut detector,
            &mut state,
        )?;
    }

    let stdout = io::stdout();
    let mut out = Output::new(
        io::BufWriter::with_capacity(256 * 1024, stdout.lock()),
        args.output,
    );
    for src in &sources {
        let name = src.name();
        read_source(
            src,
            args,
            &mut run,
            &mut progress,
            &mut |d, doc, line, run| {
                let mut failure = Ok(());
                let mut index = 0;
                d.process_each(doc, run.context(), &mut |text, verdict, alerts| {
                    index += 1;
                    if let Verdict::Unparseable(e) = verdict {
                        let at = if index > 1 {
                            format!(" (record {index})")
                        } else {
                            String::new()
                        };
                        run.problem(format!("{name}:{line}{at}: {e}"));
                    }
                    if failure.is_ok() {
                        failure = out.event(text, alerts);
                    }
                });
                failure
            },
            &mut detector,
            &mut state,
        )?;
    }
    let detection = run.context().detection_time;
    let tail = detector.flush(detection);
    out.documents(&tail)
        .and_then(|()| out.flush())
        .map_err(|e| Fatal::Io(format!("writing output: {e}")))?;
    progress.finish();

    if let Some(s) = &mut state {
        s.save(&detector)
            .map_err(|e| Fatal::Io(format!("saving --state: {e}")))?;
    }
    if run.problem_count > 0 {
        eprintln!(
            "dynamodb-scan-detector: {} input problem(s) skipped and counted:",
            run.problem_count
        );
        for p in &run.problems {
            eprintln!("  {p}");
        }
        if run.problem_count > run.problems.len() as u64 {
            eprintln!(
                "  … and {} more",
                run.problem_count - run.problems.len() as u64
            );
        }
    }
    if args.stats {
        #[allow(unused_mut)]
        let mut stats = detector.stats_json();
        #[cfg(target_arch = "wasm32")]
        if let Some(map) = stats.as_object_mut() {
            // Linear memory only grows: its size now is this run's peak footprint.
            map.insert(
                "wasm_memory_bytes".into(),
                (core::arch::wasm32::memory_size(0) * 65_536).into(),
            );
        }
        eprintln!("{stats}");
    }
    Ok(if run.io_failed { IO_ERROR } else { OK })
}

fn report_io(run: &mut Run, path: &std::path::Path, e: &io::Error) {
    run.io_failed = true;
    eprintln!("dynamodb-scan-detector: {}: {e}", path.display());
}

type Handler<'a> = dyn FnMut(&mut Engine, &[u8], u64, &mut Run) -> io::Result<()> + 'a;

/// Read one source document by document, handing each to `handle`.
fn read_source(
    src: &Source,
    args: &Args,
    run: &mut Run,
    progress: &mut Progress,
    handle: &mut Handler<'_>,
    detector: &mut Engine,
    state: &mut Option<StateFile>,
) -> Result<(), Fatal> {
    let mut input = match source::open(src, Arc::clone(&run.bytes)) {
        Ok(i) => i,
        Err(e) => {
            report_io(run, &PathBuf::from(src.name()), &e);
            return Ok(());
        }
    };
    let name = src.name();
    // The first failure to write output or state; then nothing more is handled.
    let mut failure = None;
    let read = reader::read_documents(input.as_mut(), args.limits, &mut |item| {
        if failure.is_some() {
            return;
        }
        match item {
            Item::Document { bytes, line } => {
                if let Err(e) = handle(detector, bytes, line, run) {
                    failure = Some(Fatal::Io(format!("writing output: {e}")));
                }
            }
            Item::TooLarge { line, limit } => {
                run.problem(format!("{name}:{line}: longer than {limit} bytes, skipped"));
            }
            Item::Unreadable(_) => {}
        }
        if let Some(error) = item.skip_error() {
            detector.skip_input(error);
        }
        progress.update(run.bytes.load(Ordering::Relaxed), || detector.events_in());
        if let Some(s) = state.as_mut() {
            if let Err(e) = s.maybe_save(detector) {
                failure = Some(Fatal::Io(format!("saving --state: {e}")));
            }
        }
    });
    if let Some(fatal) = failure {
        return Err(fatal);
    }
    if let Err(e) = read {
        run.problem(format!(
            "{name}: unreadable after {} bytes: {e}",
            run.bytes.load(Ordering::Relaxed)
        ));
        detector.skip_input(InputError::Unreadable(e.to_string()));
    }
    Ok(())
}

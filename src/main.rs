//! `dynamodb-scan-detector`: the streaming command-line host of the detector.
//! Everything is in [`cli`]; this is the entry point only.

#![forbid(unsafe_code)]

mod cli;

fn main() {
    std::process::exit(cli::main());
}

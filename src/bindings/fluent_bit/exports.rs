//! The wasm ABI Fluent Bit's `filter_wasm` calls (wasm32-wasip1 only). All `unsafe` of
//! the crate is here: reading the host's record copy, and two WASI calls that list the
//! preopened directories. Everything else is [`super::Filter`].
//!
//! Fluent Bit (`src/wasm/flb_wasm.c`) copies tag and record into guest memory through
//! the exported `malloc` (with a trailing NUL), calls the function with six i32 cells,
//! `strlen`s and copies the returned string at once, then frees its two copies. Calls
//! into one instance are serial, so one thread-local filter and one output buffer serve.
#![allow(unsafe_code)]

use std::cell::RefCell;
use std::ffi::{c_char, c_void, CStr};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::{record_time, Filter, Mode, Record, Reply};
use crate::time::Millis;

thread_local! {
    static FILTER: RefCell<Option<Filter>> = const { RefCell::new(None) };
}

/// The empty string: "drop this record".
static EMPTY: [u8; 1] = [0];

const WASM_PAGE: u64 = 65_536;

extern "C" {
    /// Synthesised by the linker: runs the module's static constructors.
    fn __wasm_call_ctors();
}

#[link(wasm_import_module = "env")]
extern "C" {
    /// WAMR's built-in libc (`libc-builtin`, in every Fluent Bit build with wasm): the
    /// host's native `strstr`. Returns the guest address of the first match, 0 for none.
    /// Interpreted, the module's own search would cost more than all of Fluent Bit's
    /// work on a record; natively it is a small fraction of it.
    #[link_name = "strstr"]
    fn host_strstr(haystack: *const c_char, needle: *const c_char) -> u32;
    /// The host's native `memchr`; WAMR checks the range by its length alone, which
    /// makes it several times cheaper per call than `strstr` (which walks both strings
    /// to check them).
    #[link_name = "memchr"]
    fn host_memchr(s: *const c_void, c: i32, n: u32) -> u32;
}

/// Called once by the runtime when it instantiates the module (WASI "reactor" entry
/// point; exporting it also stops WAMR's "command or reactor" warning on stdout). Runs
/// the constructors, then starts the filter, so config problems show at startup.
#[no_mangle]
pub extern "C" fn _initialize() {
    static DONE: AtomicBool = AtomicBool::new(false);
    if DONE.swap(true, Ordering::Relaxed) {
        return;
    }
    // SAFETY: the linker-generated constructor runner; the flag above makes this the
    // only call, and the runtime makes it before any other export (the reactor contract).
    unsafe { __wasm_call_ctors() };
    with_filter(|_| ());
}

/// Fluent Bit `Function_Name`: pass every record, annotate the ones that raised alerts.
#[no_mangle]
pub extern "C" fn dynamodb_scan_annotate(
    _tag: u32,
    _tag_len: u32,
    time_sec: u32,
    time_nsec: u32,
    record: u32,
    record_len: u32,
) -> *const u8 {
    call(Mode::Annotate, time_sec, time_nsec, record, record_len)
}

/// Fluent Bit `Function_Name`: keep only alerts (the alert replaces its record).
#[no_mangle]
pub extern "C" fn dynamodb_scan_alerts_only(
    _tag: u32,
    _tag_len: u32,
    time_sec: u32,
    time_nsec: u32,
    record: u32,
    record_len: u32,
) -> *const u8 {
    call(Mode::AlertsOnly, time_sec, time_nsec, record, record_len)
}

/// Not a filter: the counters as a NUL-terminated JSON object, for hosts and tests.
#[no_mangle]
pub extern "C" fn dynamodb_scan_stats() -> *const u8 {
    with_filter(|f| f.stats().as_ptr()).unwrap_or(EMPTY.as_ptr())
}

fn call(mode: Mode, time_sec: u32, time_nsec: u32, addr: u32, len: u32) -> *const u8 {
    let contains = |needle: &CStr| match needle.to_bytes() {
        // SAFETY: WAMR checks that [addr, addr + len) lies inside linear memory before
        // its native `memchr` reads it (returning 0 otherwise); it is the host's copy of
        // the record, alive until this call returns. The result is 0 or a guest address.
        [byte] => unsafe { host_memchr(addr as *const c_void, i32::from(*byte), len) != 0 },
        // SAFETY: only called when `nul_at` found the NUL that ends the host's copy at
        // `addr + len`, and Fluent Bit's JSON text holds no other NUL (it escapes one in
        // a string as `\u0000`), so `strstr` reads inside the copy, which lives until the
        // call returns. `needle` is a NUL-terminated static. WAMR checks both pointers
        // before its native `strstr` runs and returns 0 (not found) or the guest address.
        _ => unsafe { host_strstr(addr as *const c_char, needle.as_ptr()) != 0 },
    };
    let record = if readable(addr, len) {
        // SAFETY: `readable` checked that [addr, addr + len) lies inside linear memory,
        // so reading it cannot trap. It is the host's copy of the record, allocated
        // through our `malloc` and freed only after this call returns; nothing writes
        // to it while the slice lives, and the slice does not outlive this call.
        let text = unsafe { std::slice::from_raw_parts(addr as *const u8, len as usize) };
        if nul_at(addr, len) {
            Record::FluentBitJson {
                text,
                contains: &contains,
            }
        } else {
            Record::Bytes(text)
        }
    } else {
        Record::Missing(len)
    };
    let reply = with_filter(|filter| {
        match filter.call(mode, record, record_time(time_sec, time_nsec), &mut now) {
            Reply::Drop => EMPTY.as_ptr(),
            Reply::Output => filter.output().as_ptr(),
            Reply::Unchanged if nul_at(addr, len) => addr as *const u8,
            Reply::Unchanged => match record {
                Record::Bytes(bytes) | Record::FluentBitJson { text: bytes, .. } => {
                    filter.set_output(bytes).as_ptr()
                }
                Record::Missing(_) => EMPTY.as_ptr(),
            },
        }
    });
    reply.unwrap_or(EMPTY.as_ptr())
}

/// Run `f` on this instance's filter, starting it on first use. `None` only if the
/// filter is already borrowed, which serial calls never cause.
fn with_filter<R>(f: impl FnOnce(&mut Filter) -> R) -> Option<R> {
    FILTER
        .try_with(|cell| {
            let mut slot = cell.try_borrow_mut().ok()?;
            let filter = slot.get_or_insert_with(start);
            Some(f(filter))
        })
        .ok()
        .flatten()
}

fn start() -> Filter {
    let home = preopened_dirs().into_iter().next();
    Filter::start(home.as_deref(), now(), Box::new(to_stderr))
}

fn to_stderr(line: &str) {
    let mut err = std::io::stderr().lock();
    // Nothing sensible can be done if stderr itself fails.
    let _ = err
        .write_all(line.as_bytes())
        .and_then(|()| err.write_all(b"\n"));
}

fn now() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn memory_bytes() -> u64 {
    core::arch::wasm32::memory_size(0) as u64 * WASM_PAGE
}

/// A non-null range that lies inside linear memory.
fn readable(addr: u32, len: u32) -> bool {
    addr != 0 && u64::from(addr) + u64::from(len) <= memory_bytes()
}

/// Whether the byte just after the record is a NUL (Fluent Bit copies `len + 1` bytes),
/// so the host's own copy can be handed back as the result.
fn nul_at(addr: u32, len: u32) -> bool {
    let end = u64::from(addr) + u64::from(len);
    if addr == 0 || end >= memory_bytes() {
        return false;
    }
    // SAFETY: `end` is inside linear memory (checked above), so the read cannot trap;
    // it is the terminator of the host's copy, read once and not kept.
    unsafe { *(end as usize as *const u8) == 0 }
}

/// WASI preview1's `prestat` for a directory: tag 0, then the name's length.
#[repr(C)]
struct Prestat {
    tag: u8,
    name_len: u32,
}

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    #[link_name = "fd_prestat_get"]
    fn wasi_fd_prestat_get(fd: u32, out: *mut Prestat) -> u16;
    #[link_name = "fd_prestat_dir_name"]
    fn wasi_fd_prestat_dir_name(fd: u32, path: *mut u8, len: u32) -> u16;
}

/// The preopened directories (Fluent Bit's `Accessible_Paths`) in order, by the names
/// under which wasi-libc resolves paths into them.
fn preopened_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for fd in 3..3 + 64 {
        let mut prestat = Prestat {
            tag: u8::MAX,
            name_len: 0,
        };
        // SAFETY: `prestat` is a live, writable value with the layout WASI expects
        // (u8 tag at offset 0, u32 length at offset 4); the host writes only into it.
        if unsafe { wasi_fd_prestat_get(fd, &mut prestat) } != 0 {
            break; // EBADF: no more preopens
        }
        if prestat.tag != 0 || prestat.name_len > 4096 {
            continue;
        }
        let mut name = vec![0u8; prestat.name_len as usize];
        // SAFETY: `name` is a live buffer of exactly `name_len` writable bytes, the
        // length passed; the host writes at most that many.
        if unsafe { wasi_fd_prestat_dir_name(fd, name.as_mut_ptr(), prestat.name_len) } != 0 {
            continue;
        }
        while name.last() == Some(&0) {
            name.pop();
        }
        dirs.push(PathBuf::from(String::from_utf8_lossy(&name).into_owned()));
    }
    dirs
}

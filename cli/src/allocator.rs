//! The binary's memory allocator: mimalloc, tuned for one large, short-lived job.
//!
//! A 100,000-task export makes millions of small allocations from rayon's threads;
//! with glibc's malloc they cost about a quarter of the CPU time and its per-thread
//! arenas a third more resident memory. mimalloc's defaults suit long-running
//! servers: on Linux each arena (a large reservation) is committed up front, which
//! here costs 15-20 MB of peak resident memory for nothing. Arenas are therefore
//! committed on demand. Freed pages are returned to the system 10 ms after they fall
//! empty: purging at once (delay 0) kept the peak 1-2 MB lower but faulted the same
//! pages back in again and again (208,000 page faults against 120,000 at 100,000
//! tasks, a second of system time on this machine). See docs/performance.md. A
//! user's own `MIMALLOC_*` variables still win.

use std::ffi::{c_int, c_long};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

extern "C" {
    /// mimalloc's option setter (mimalloc.h); options not set this way are read from
    /// the environment on first use.
    fn mi_option_set(option: c_int, value: c_long);
}

/// `mi_option_arena_eager_commit` in mimalloc.h's `mi_option_e` (v2).
const ARENA_EAGER_COMMIT: c_int = 4;

/// mimalloc reads its options when it starts, at the process's first allocation,
/// before `main`; an arena committed by then stays committed. On Linux the options
/// are therefore set from an ELF constructor of priority 101, which runs before every
/// constructor of default priority and before the Rust runtime allocates anything.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array.00101"]
static TUNE_AT_LOAD: extern "C" fn() = {
    extern "C" fn tune_at_load() {
        tune();
    }
    tune_at_load
};

/// `mi_option_purge_delay` in mimalloc.h's `mi_option_e` (v2), in milliseconds.
const PURGE_DELAY: c_int = 15;

/// Milliseconds a freed page stays committed before it is returned to the system.
const PURGE_DELAY_MS: c_long = 10;

/// Applies the options above, unless the environment sets them. Elsewhere than Linux
/// it is called first thing in `main` (later options still cover most of the run).
pub fn tune() {
    for (option, variable, value) in [
        (ARENA_EAGER_COMMIT, "MIMALLOC_ARENA_EAGER_COMMIT", 0),
        (PURGE_DELAY, "MIMALLOC_PURGE_DELAY", PURGE_DELAY_MS),
    ] {
        if std::env::var_os(variable).is_none() {
            // SAFETY: mi_option_set only stores an integer in mimalloc's option table;
            // it is safe to call at any time, from any thread.
            unsafe { mi_option_set(option, value) };
        }
    }
}

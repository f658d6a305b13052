//! The binary's memory allocator: mimalloc, tuned for one large, short-lived job.
//!
//! A 100,000-task export makes millions of small allocations from rayon's threads;
//! with glibc's malloc they cost about a quarter of the CPU time and its per-thread
//! arenas a third more resident memory. mimalloc's defaults suit long-running
//! servers: on Linux each arena (a large reservation) is committed up front, and
//! freed pages stay committed for 10 ms in case they are wanted again. Here the
//! phases of one run free large structures (files read during analysis, the DAG once
//! the plan is built) that the next phase, on other threads, cannot reuse directly;
//! committing on demand and purging at once keeps the 100,000-task export's peak
//! resident memory at ~185 MB instead of 200-230 MB, for about a tenth more CPU time
//! (docs/performance.md). A user's own `MIMALLOC_*` variables still win.

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

/// Applies the options above, unless the environment sets them. Elsewhere than Linux
/// it is called first thing in `main` (later options still cover most of the run).
pub fn tune() {
    for (option, variable, value) in [
        (ARENA_EAGER_COMMIT, "MIMALLOC_ARENA_EAGER_COMMIT", 0),
        (PURGE_DELAY, "MIMALLOC_PURGE_DELAY", 0),
    ] {
        if std::env::var_os(variable).is_none() {
            // SAFETY: mi_option_set only stores an integer in mimalloc's option table;
            // it is safe to call at any time, from any thread.
            unsafe { mi_option_set(option, value) };
        }
    }
}

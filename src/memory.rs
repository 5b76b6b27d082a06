//! How the process uses the C allocator (issue 15). Discovery reads megabytes of JSON on
//! several threads and keeps a lean result; glibc's defaults would keep what it freed as
//! resident memory: its mmap threshold rises to the size of the largest block freed (up to
//! 32 MB), after which every coverage page and growing buffer comes from per-thread arenas
//! whose freed space is kept, not returned. Elsewhere (musl, macOS, Windows) the defaults stay.

/// Fixes glibc's thresholds at their initial defaults (so they no longer rise). The number of
/// arenas stays glibc's: capped, a crawl's 50 reading threads wait on each other's
/// allocations. Called once at start.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called before any other thread starts.
    unsafe {
        // Blocks of 128 KiB and more (coverage pages, big vectors) are mapped on their own:
        // freed, they go back to the system at once, and a growing one is remapped, not copied.
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 << 10);
        // Free space over 128 KiB at the top of a heap is given back.
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 << 10);
    }
}

/// Gives back to the system every whole page the allocator holds free, wherever it lies in
/// its heaps. For after a large transient structure is dropped (the OAuth metadata as a JSON
/// tree: tens of megabytes of small blocks), whose pages would otherwise stay resident.
pub fn give_back_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages; it is safe to call from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

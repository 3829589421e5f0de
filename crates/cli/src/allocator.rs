//! Handing freed memory back with mimalloc, the allocator every Matchbook binary links: a block
//! freed by another thread than the one that allocated it stays with the allocating thread until
//! that thread allocates again, so memory freed while the matching workers sit idle (a warm index
//! let go after its idle time) would stay resident. Registered with `service::set_memory_release`.

/// Has every matching worker, and the calling thread, give back what was freed into its heap.
pub fn release_mimalloc() {
    // SAFETY: mi_collect only walks the calling thread's own heap; it has no preconditions.
    rayon::broadcast(|_| unsafe { libmimalloc_sys::mi_collect(true) });
    unsafe { libmimalloc_sys::mi_collect(true) };
}

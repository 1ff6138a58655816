//! The wasm build's memory allocator: blocks in power-of-two size classes, each class with a list
//! of the blocks freed, new blocks cut from the end of memory.
//!
//! The standard allocator of `wasm32-unknown-unknown` (dlmalloc) is about 7 KB of code (0.4 to
//! 0.7 KB of the brotli bundle) to split and merge blocks of any size. The studio's allocations
//! are strings, vectors and the buffers of frames and videos, which grow by doubling anyway; a
//! size-class allocator serves them in a few hundred bytes of code:
//!
//! - a block is the size asked for rounded up to a power of two (at least 8 bytes, for the link
//!   of its free list), aligned to its size up to 64 KB;
//! - a freed block goes to the front of its class's list and is the next one given out for that
//!   class; blocks are never split or merged;
//! - a block that grows within its class stays in place (a doubling vector moves once per class);
//! - memory is never given back to the browser (no wasm allocator can: memory only grows).
//!
//! The arithmetic is [`Heap`], tested natively over a plain buffer; on wasm [`WasmHeap`] runs it
//! over the module's memory.

/// The smallest block: 2^3 = 8 bytes, room for the link of a free list.
const MIN_SHIFT: u32 = 3;
/// Classes 2^3 ..= 2^31: every size a 32-bit address space can hold.
const CLASSES: usize = 29;
/// The unit memory grows by, and the largest alignment a block gets.
pub const PAGE: usize = 65_536;

/// The class of a block for `size` bytes aligned to `align`: its size is `8 << class`.
fn class_of(size: usize, align: usize) -> Option<usize> {
    if align > PAGE {
        return None;
    }
    let block = size
        .max(align)
        .max(1 << MIN_SHIFT)
        .checked_next_power_of_two()?;
    let class = (block.trailing_zeros() - MIN_SHIFT) as usize;
    (class < CLASSES).then_some(class)
}

/// Where new memory comes from: `grow(pages)` adds `pages` × [`PAGE`] bytes and returns the
/// address they start at, or `None` when there is no more.
pub trait Grow {
    /// Adds `pages` pages of memory.
    fn grow(&mut self, pages: usize) -> Option<usize>;
}

/// The allocator's state: one free list per class and the unused end of the last memory grown.
pub struct Heap<G> {
    free: [usize; CLASSES],
    next: usize,
    end: usize,
    memory: G,
}

impl<G: Grow> Heap<G> {
    /// An empty heap that takes its memory from `memory`.
    pub const fn new(memory: G) -> Self {
        Heap {
            free: [0; CLASSES],
            next: 0,
            end: 0,
            memory,
        }
    }

    /// The address of a block for `size` bytes aligned to `align`, or `None` when memory is
    /// exhausted (or the alignment is over 64 KB).
    ///
    /// # Safety
    /// Freed blocks hold their list's link: only addresses this heap gave out may be passed to
    /// [`Heap::free`], and memory from `memory` must be readable and writable.
    pub unsafe fn allocate(&mut self, size: usize, align: usize) -> Option<usize> {
        let class = class_of(size, align)?;
        let head = self.free[class];
        if head != 0 {
            // SAFETY: `head` is a freed block of this class, whose first word is the next link.
            self.free[class] = unsafe { (head as *const usize).read() };
            return Some(head);
        }
        let block = 8usize << class;
        let align = block.min(PAGE);
        loop {
            let start = self.next.checked_add(align - 1)? & !(align - 1);
            let end = start.checked_add(block)?;
            if end <= self.end {
                self.next = end;
                return Some(start);
            }
            // The pages missing after the current end. A region that does not follow it
            // (memory grown by someone else) starts afresh, on a page boundary: the next turn
            // grows again if the block does not fit there.
            let pages = (end - self.end).div_ceil(PAGE);
            let region = self.memory.grow(pages)?;
            if region != self.end {
                self.next = region;
            }
            self.end = region.checked_add(pages * PAGE)?;
        }
    }

    /// Gives back the block at `address`, allocated for `size` bytes aligned to `align`.
    ///
    /// # Safety
    /// `address` came from [`Heap::allocate`] with the same `size` and `align`, and is not used
    /// after this.
    pub unsafe fn free(&mut self, address: usize, size: usize, align: usize) {
        if let Some(class) = class_of(size, align) {
            // SAFETY: the block is at least 8 bytes and aligned to 8, and is ours again.
            unsafe { (address as *mut usize).write(self.free[class]) };
            self.free[class] = address;
        }
    }
}

/// Whether the block of an allocation of `old` bytes can hold `new` bytes (same `align`).
pub fn fits_in_place(old: usize, new: usize, align: usize) -> bool {
    class_of(old, align).is_some() && class_of(old, align) == class_of(new, align)
}

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
pub use wasm::WasmHeap;

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
mod wasm {
    use std::alloc::{GlobalAlloc, Layout};
    use std::cell::UnsafeCell;

    use super::{Grow, Heap, PAGE, fits_in_place};

    /// The module's linear memory.
    pub struct Memory;

    impl Grow for Memory {
        fn grow(&mut self, pages: usize) -> Option<usize> {
            let previous = core::arch::wasm32::memory_grow(0, pages);
            (previous != usize::MAX).then(|| previous * PAGE)
        }
    }

    /// [`Heap`] as the global allocator of a single-threaded wasm module.
    pub struct WasmHeap(UnsafeCell<Heap<Memory>>);

    impl WasmHeap {
        /// The allocator, empty until the first allocation.
        pub const fn new() -> Self {
            WasmHeap(UnsafeCell::new(Heap::new(Memory)))
        }
    }

    impl Default for WasmHeap {
        fn default() -> Self {
            Self::new()
        }
    }

    // SAFETY: wasm32 without the `atomics` feature runs one thread, so the heap is never used
    // from two threads at once.
    unsafe impl Sync for WasmHeap {}

    unsafe impl GlobalAlloc for WasmHeap {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: one thread, and the allocator is not re-entered while it runs.
            let heap = unsafe { &mut *self.0.get() };
            unsafe { heap.allocate(layout.size(), layout.align()) }
                .map_or(std::ptr::null_mut(), |a| a as *mut u8)
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            let heap = unsafe { &mut *self.0.get() };
            unsafe { heap.free(ptr as usize, layout.size(), layout.align()) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if fits_in_place(layout.size(), new_size, layout.align()) {
                return ptr;
            }
            // SAFETY: the caller guarantees `layout` describes `ptr`, and `new_size` with
            // `layout.align()` is a valid layout.
            unsafe {
                let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
                let new = self.alloc(new_layout);
                if !new.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }
}

// Native: the tests run the heap over a buffer of the test process.
#[cfg(test)]
#[cfg(not(target_arch = "wasm32"))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Memory for tests: a buffer handed out a page at a time.
    struct Buffer {
        base: usize,
        pages: usize,
        used: usize,
        _storage: Vec<u8>,
    }

    impl Buffer {
        fn new(pages: usize) -> Self {
            // One spare page to start on a page boundary.
            let storage = vec![0u8; (pages + 1) * PAGE];
            let base = (storage.as_ptr() as usize).next_multiple_of(PAGE);
            Buffer {
                base,
                pages,
                used: 0,
                _storage: storage,
            }
        }
    }

    impl Grow for Buffer {
        fn grow(&mut self, pages: usize) -> Option<usize> {
            (self.used + pages <= self.pages).then(|| {
                let start = self.base + self.used * PAGE;
                self.used += pages;
                start
            })
        }
    }

    #[test]
    fn classes_round_up_to_powers_of_two() {
        assert_eq!(class_of(1, 1), Some(0));
        assert_eq!(class_of(8, 8), Some(0));
        assert_eq!(class_of(9, 1), Some(1));
        assert_eq!(class_of(16, 1), Some(1));
        assert_eq!(class_of(4, 32), Some(2));
        assert_eq!(class_of(1 << 31, 1), Some(28));
        assert_eq!(class_of((1 << 31) + 1, 1), None);
        assert_eq!(class_of(8, PAGE * 2), None);
    }

    #[test]
    fn freed_blocks_are_reused_and_growth_in_class_stays_in_place() {
        let mut heap = Heap::new(Buffer::new(8));
        unsafe {
            let a = heap.allocate(24, 8).expect("memory");
            let b = heap.allocate(24, 8).expect("memory");
            assert_ne!(a, b);
            assert_eq!(a % 32, 0);
            heap.free(a, 24, 8);
            assert_eq!(heap.allocate(30, 4), Some(a));
        }
        assert!(fits_in_place(20, 32, 1));
        assert!(!fits_in_place(20, 33, 1));
    }

    #[test]
    fn large_blocks_take_new_pages_and_exhaustion_is_none() {
        let mut heap = Heap::new(Buffer::new(4));
        unsafe {
            let big = heap.allocate(3 * PAGE, 8).expect("memory");
            assert_eq!(big % PAGE, 0);
            // The 4-page block took all 4 pages: no more memory.
            assert_eq!(heap.allocate(4 * PAGE, 8), None);
            heap.free(big, 3 * PAGE, 8);
            assert_eq!(heap.allocate(4 * PAGE, 1), Some(big));
        }
    }

    proptest! {
        /// Live blocks never overlap, are aligned, and keep what was written into them, through
        /// any mix of allocations and frees.
        #[test]
        fn live_blocks_keep_their_bytes(
            steps in prop::collection::vec((1usize..5000, 0u32..7, any::<bool>()), 1..300)
        ) {
            let mut heap = Heap::new(Buffer::new(256));
            let mut live: Vec<(usize, usize, usize, u8)> = Vec::new();
            for (i, (size, align_shift, free_one)) in steps.into_iter().enumerate() {
                if free_one && !live.is_empty() {
                    let (address, size, align, fill) = live.swap_remove(i % live.len());
                    let bytes = unsafe { std::slice::from_raw_parts(address as *const u8, size) };
                    prop_assert!(bytes.iter().all(|b| *b == fill));
                    unsafe { heap.free(address, size, align) };
                    continue;
                }
                let align = 1usize << align_shift;
                let address = unsafe { heap.allocate(size, align) }.expect("memory");
                prop_assert_eq!(address % align, 0);
                let fill = i as u8;
                unsafe { std::ptr::write_bytes(address as *mut u8, fill, size) };
                live.push((address, size, align, fill));
            }
            for (address, size, _, fill) in live {
                let bytes = unsafe { std::slice::from_raw_parts(address as *const u8, size) };
                prop_assert!(bytes.iter().all(|b| *b == fill));
            }
        }
    }
}

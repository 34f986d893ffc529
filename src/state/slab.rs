//! A growable array in fixed-size chunks: growing never copies what is already stored
//! and never holds two copies at once. (A `Vec` that doubles briefly needs room for the
//! old and the new buffer; in WebAssembly, whose memory never shrinks, that transient
//! peak would be kept forever.)

use std::ops::{Index, IndexMut};

const SHIFT: u32 = 14;
/// Elements per chunk (16,384).
pub const CHUNK: usize = 1 << SHIFT;
const MASK: u32 = (1 << SHIFT) - 1;

#[derive(Debug, Clone)]
pub struct Slab<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Slab<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn push(&mut self, value: T) {
        if self.len % CHUNK == 0 {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        if let Some(chunk) = self.chunks.last_mut() {
            chunk.push(value);
            self.len += 1;
        }
    }

    /// Bytes reserved for elements.
    pub fn capacity_bytes(&self) -> usize {
        self.chunks.iter().map(Vec::capacity).sum::<usize>() * std::mem::size_of::<T>()
    }
}

impl<T> Index<u32> for Slab<T> {
    type Output = T;
    fn index(&self, i: u32) -> &T {
        &self.chunks[(i >> SHIFT) as usize][(i & MASK) as usize]
    }
}

impl<T> IndexMut<u32> for Slab<T> {
    fn index_mut(&mut self, i: u32) -> &mut T {
        &mut self.chunks[(i >> SHIFT) as usize][(i & MASK) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_across_chunks() {
        let mut s = Slab::default();
        for i in 0..(2 * CHUNK + 5) as u32 {
            s.push(i);
        }
        assert_eq!(s.len(), 2 * CHUNK + 5);
        for i in [
            0u32,
            1,
            CHUNK as u32 - 1,
            CHUNK as u32,
            2 * CHUNK as u32 + 4,
        ] {
            assert_eq!(s[i], i);
        }
        s[CHUNK as u32] = 7;
        assert_eq!(s[CHUNK as u32], 7);
        assert_eq!(s.capacity_bytes(), 3 * CHUNK * 4);
    }
}

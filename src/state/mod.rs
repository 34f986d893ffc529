//! Bounded first-seen state and its persistence.

pub mod journal;
pub mod reorder;
pub mod slab;
pub mod snapshot;
pub mod store;

#[cfg(test)]
mod tests;

//! An addressable 4-ary min-heap over dense integer ids, for the dual-step searches
//! (per-blossom minima for delta2 and delta4, per-vertex minima for delta3).
//!
//! Every id knows its slot, which makes re-prioritising and removing an arbitrary id
//! O(log n).

/// Marks an id that is in no heap.
const ABSENT: u32 = u32::MAX;

/// One heap entry: the key and the id it belongs to.
#[derive(Clone, Copy, Debug)]
struct Entry {
    priority: i64,
    id: u32,
}

/// Children per node. Four keeps the tree half as deep as a binary heap, and the
/// four children of a node share one cache line.
const ARITY: usize = 4;

/// Moves the entry at `index` towards the root until its parent is not larger,
/// keeping `slot_of[id]` up to date for every entry that moves.
fn sift_up(entries: &mut [Entry], slot_of: &mut [u32], mut index: usize) {
    let moving = entries[index];
    while index > 0 {
        let parent = (index - 1) / ARITY;
        if entries[parent].priority <= moving.priority {
            break;
        }
        entries[index] = entries[parent];
        slot_of[entries[index].id as usize] = index as u32;
        index = parent;
    }
    entries[index] = moving;
    slot_of[moving.id as usize] = index as u32;
}

/// Moves the entry at `index` towards the leaves until no child is smaller.
fn sift_down(entries: &mut [Entry], slot_of: &mut [u32], mut index: usize) {
    let len = entries.len();
    let moving = entries[index];
    loop {
        let first = ARITY * index + 1;
        if first >= len {
            break;
        }
        let mut child = first;
        for candidate in first + 1..(first + ARITY).min(len) {
            if entries[candidate].priority < entries[child].priority {
                child = candidate;
            }
        }
        if entries[child].priority >= moving.priority {
            break;
        }
        entries[index] = entries[child];
        slot_of[entries[index].id as usize] = index as u32;
        index = child;
    }
    entries[index] = moving;
    slot_of[moving.id as usize] = index as u32;
}

/// Restores heap order around `index` after its priority changed either way.
fn resift(entries: &mut [Entry], slot_of: &mut [u32], index: usize) {
    if index > 0 && entries[(index - 1) / ARITY].priority > entries[index].priority {
        sift_up(entries, slot_of, index);
    } else {
        sift_down(entries, slot_of, index);
    }
}

/// A min-heap over ids `0..capacity`, each present at most once.
#[derive(Debug)]
pub(crate) struct IndexedHeap {
    entries: Vec<Entry>,
    slot_of: Vec<u32>,
}

impl IndexedHeap {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: Vec::new(),
            slot_of: vec![ABSENT; capacity],
        }
    }

    pub(crate) fn contains(&self, id: u32) -> bool {
        self.slot_of[id as usize] != ABSENT
    }

    /// The priority of a present id.
    pub(crate) fn priority(&self, id: u32) -> i64 {
        let slot = self.slot_of[id as usize];
        debug_assert!(slot != ABSENT, "priority of an id that is not in the heap");
        self.entries[slot as usize].priority
    }

    /// The smallest entry as `(priority, id)`.
    pub(crate) fn min(&self) -> Option<(i64, u32)> {
        self.entries.first().map(|entry| (entry.priority, entry.id))
    }

    pub(crate) fn insert(&mut self, id: u32, priority: i64) {
        debug_assert!(!self.contains(id), "id inserted twice");
        self.entries.push(Entry { priority, id });
        let index = self.entries.len() - 1;
        sift_up(&mut self.entries, &mut self.slot_of, index);
    }

    /// Builds the heap from scratch in O(n) from entries pushed by [`Self::push_unordered`].
    pub(crate) fn heapify(&mut self) {
        for index in (0..self.entries.len().div_ceil(ARITY)).rev() {
            sift_down(&mut self.entries, &mut self.slot_of, index);
        }
    }

    /// Appends without restoring heap order; [`Self::heapify`] must follow before any
    /// other operation. Used to load the initial state in linear time.
    pub(crate) fn push_unordered(&mut self, id: u32, priority: i64) {
        debug_assert!(!self.contains(id), "id inserted twice");
        // Mark the id as present so that later `contains` checks see it.
        self.slot_of[id as usize] = self.entries.len() as u32;
        self.entries.push(Entry { priority, id });
    }

    pub(crate) fn remove(&mut self, id: u32) {
        let slot = self.slot_of[id as usize];
        debug_assert!(slot != ABSENT, "removing an id that is not in the heap");
        self.slot_of[id as usize] = ABSENT;
        let last = self
            .entries
            .pop()
            .expect("a present id implies a non-empty heap");
        let index = slot as usize;
        if index < self.entries.len() {
            self.entries[index] = last;
            resift(&mut self.entries, &mut self.slot_of, index);
        }
    }

    /// Sets the priority of a present id.
    pub(crate) fn set_priority(&mut self, id: u32, priority: i64) {
        let slot = self.slot_of[id as usize];
        debug_assert!(
            slot != ABSENT,
            "re-prioritising an id that is not in the heap"
        );
        let index = slot as usize;
        self.entries[index].priority = priority;
        resift(&mut self.entries, &mut self.slot_of, index);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // The crate's seeded generator; only the tests reach outside the algorithm modules.
    use crate::synthetic::SplitMix;

    #[test]
    fn indexed_heap_matches_a_naive_model() {
        let mut rng = SplitMix::new(7);
        let capacity = 64;
        let mut heap = IndexedHeap::new(capacity);
        let mut model: Vec<Option<i64>> = vec![None; capacity];
        for _ in 0..20_000 {
            let id = rng.below(capacity as u64) as u32;
            let priority = rng.below(50) as i64 - 25;
            match (rng.below(3), model[id as usize]) {
                (0, None) => {
                    heap.insert(id, priority);
                    model[id as usize] = Some(priority);
                }
                (1, Some(_)) => {
                    heap.remove(id);
                    model[id as usize] = None;
                }
                (_, Some(_)) => {
                    heap.set_priority(id, priority);
                    model[id as usize] = Some(priority);
                }
                _ => {}
            }
            let expected = model.iter().flatten().min().copied();
            assert_eq!(heap.min().map(|(p, _)| p), expected);
            if let Some((p, id)) = heap.min() {
                assert_eq!(model[id as usize], Some(p));
            }
        }
    }

    #[test]
    fn heapify_builds_a_valid_heap() {
        let mut heap = IndexedHeap::new(10);
        for (id, priority) in [(3, 5), (1, -2), (7, 9), (0, 4), (9, -2)] {
            heap.push_unordered(id, priority);
        }
        heap.heapify();
        assert_eq!(heap.min().map(|(p, _)| p), Some(-2));
        heap.remove(1);
        heap.remove(9);
        assert_eq!(heap.min(), Some((4, 0)));
        assert!(heap.contains(7));
        assert!(!heap.contains(1));
    }
}

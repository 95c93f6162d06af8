//! Concatenable priority queues: 2-3 trees whose leaves are vertices.
//!
//! Each top-level blossom owns one tree holding exactly its vertices, in blossom order.
//! That gives three things the matching needs in O(log n):
//! - which top-level blossom contains a vertex (walk to the root, read its owner);
//! - the vertex of a blossom with the least priority (each node caches its minimum
//!   leaf), where a vertex's priority is its best edge slack towards an S-vertex;
//! - forming a blossom (concatenate the children's trees) and expanding one (split
//!   the tree back at the children's first vertices).
//!
//! Node ids `0..leaf_count` are the leaves (vertex `v` is leaf `v`); internal nodes
//! follow and are recycled through a free list.

const NONE: u32 = u32::MAX;
/// Set in `link` for a root; the other bits are then the owner. Owners (blossom ids)
/// stay below `2^31` by the crate's vertex limit.
const ROOT_FLAG: u32 = 1 << 31;
/// A root whose owner has not been assigned yet.
const UNOWNED_ROOT: u32 = ROOT_FLAG | !ROOT_FLAG;

/// The forest of 2-3 trees over a fixed set of leaves.
#[derive(Debug)]
pub(crate) struct ConcatenableQueues {
    leaf_count: usize,
    /// Parent node, or `ROOT_FLAG | owner` at a root: one load tells a top-level
    /// vertex's blossom.
    link: Vec<u32>,
    /// Children of internal node `leaf_count + i`, left to right; unused slots are `NONE`.
    children: Vec<[u32; 3]>,
    child_count: Vec<u8>,
    /// Leaves have height 0; every leaf of a tree is at the same depth.
    height: Vec<u8>,
    /// The leaf with the least priority below each node (ties: the leftmost).
    min_leaf: Vec<u32>,
    /// Leaf priorities.
    priority: Vec<i64>,
    free_internal: Vec<u32>,
}

impl ConcatenableQueues {
    /// One single-leaf tree per leaf, owned by the blossom with the same id, all with
    /// priority `initial_priority`.
    pub(crate) fn new(leaf_count: usize, initial_priority: i64) -> Self {
        let ids = 0..leaf_count as u32;
        Self {
            leaf_count,
            link: ids.clone().map(|owner| ROOT_FLAG | owner).collect(),
            children: Vec::new(),
            child_count: Vec::new(),
            height: vec![0; leaf_count],
            min_leaf: ids.clone().collect(),
            priority: vec![initial_priority; leaf_count],
            free_internal: Vec::new(),
        }
    }

    fn is_root(&self, node: u32) -> bool {
        self.link[node as usize] & ROOT_FLAG != 0
    }

    /// The parent of `node`, or `NONE` at a root.
    fn parent(&self, node: u32) -> u32 {
        let link = self.link[node as usize];
        if link & ROOT_FLAG != 0 { NONE } else { link }
    }

    fn is_leaf(&self, node: u32) -> bool {
        (node as usize) < self.leaf_count
    }

    fn kids(&self, node: u32) -> &[u32] {
        let index = node as usize - self.leaf_count;
        &self.children[index][..self.child_count[index] as usize]
    }

    fn kids_mut(&mut self, node: u32) -> (&mut [u32; 3], &mut u8) {
        let index = node as usize - self.leaf_count;
        (&mut self.children[index], &mut self.child_count[index])
    }

    /// The owner of the tree that contains `leaf`.
    pub(crate) fn find(&self, leaf: u32) -> u32 {
        let mut node = leaf;
        loop {
            let link = self.link[node as usize];
            if link & ROOT_FLAG != 0 {
                return link & !ROOT_FLAG;
            }
            node = link;
        }
    }

    pub(crate) fn set_owner(&mut self, root: u32, owner: u32) {
        debug_assert!(self.is_root(root), "owner set below a root");
        debug_assert_eq!(owner & ROOT_FLAG, 0, "owner id too large");
        self.link[root as usize] = ROOT_FLAG | owner;
    }

    #[cfg(test)]
    fn leaf_priority(&self, leaf: u32) -> i64 {
        self.priority[leaf as usize]
    }

    /// Changes the priority of a leaf and refreshes the cached minima above it.
    pub(crate) fn set_priority(&mut self, leaf: u32, priority: i64) {
        self.priority[leaf as usize] = priority;
        let mut node = self.parent(leaf);
        while node != NONE {
            self.repair(node);
            node = self.parent(node);
        }
    }

    /// The least priority in the tree rooted at `root`.
    pub(crate) fn min_priority(&self, root: u32) -> i64 {
        self.priority[self.min_leaf[root as usize] as usize]
    }

    /// The leaf holding the least priority in the tree rooted at `root`.
    pub(crate) fn min_leaf(&self, root: u32) -> u32 {
        self.min_leaf[root as usize]
    }

    /// Recomputes the cached minimum of an internal node from its children.
    fn repair(&mut self, node: u32) {
        let index = node as usize - self.leaf_count;
        let count = self.child_count[index] as usize;
        let kids = self.children[index];
        let mut best = self.min_leaf[kids[0] as usize];
        for &kid in &kids[1..count] {
            let candidate = self.min_leaf[kid as usize];
            if self.priority[candidate as usize] < self.priority[best as usize] {
                best = candidate;
            }
        }
        self.min_leaf[node as usize] = best;
    }

    /// A new root with the two given equal-height trees as children.
    fn new_internal(&mut self, left: u32, right: u32) -> u32 {
        debug_assert_eq!(self.height[left as usize], self.height[right as usize]);
        let height = self.height[left as usize] + 1;
        let node = match self.free_internal.pop() {
            Some(node) => node,
            None => {
                let node = self.link.len() as u32;
                self.link.push(UNOWNED_ROOT);
                self.height.push(0);
                self.min_leaf.push(NONE);
                self.children.push([NONE; 3]);
                self.child_count.push(0);
                node
            }
        };
        self.link[node as usize] = UNOWNED_ROOT;
        self.height[node as usize] = height;
        let (kids, count) = self.kids_mut(node);
        *kids = [left, right, NONE];
        *count = 2;
        self.link[left as usize] = node;
        self.link[right as usize] = node;
        self.repair(node);
        node
    }

    fn release_internal(&mut self, node: u32) {
        debug_assert!(!self.is_leaf(node));
        self.free_internal.push(node);
    }

    /// Concatenates two trees (all leaves of `left` before those of `right`) and
    /// returns the new root. Both arguments must be roots; the owner is not set.
    pub(crate) fn concat(&mut self, left: u32, right: u32) -> u32 {
        let left_height = self.height[left as usize];
        let right_height = self.height[right as usize];
        if left_height > right_height {
            self.join_below_right_spine(left, right)
        } else if left_height < right_height {
            self.join_below_left_spine(left, right)
        } else {
            self.new_internal(left, right)
        }
    }

    /// Hangs the lower tree `right` off the right spine of the taller tree `left`.
    fn join_below_right_spine(&mut self, left: u32, right: u32) -> u32 {
        let target_height = self.height[right as usize] + 1;
        let mut node = left;
        while self.height[node as usize] > target_height {
            let kids = self.kids(node);
            node = kids[kids.len() - 1];
        }
        let mut carry = right;
        loop {
            let (kids, count) = self.kids_mut(node);
            if *count < 3 {
                kids[*count as usize] = carry;
                *count += 1;
                self.link[carry as usize] = node;
                break;
            }
            // A full node: split off its last child together with the carried tree
            // and push the pair one level up.
            let last = kids[2];
            kids[2] = NONE;
            *count = 2;
            self.repair(node);
            carry = self.new_internal(last, carry);
            let up = self.parent(node);
            if up == NONE {
                return self.new_internal(node, carry);
            }
            node = up;
        }
        self.repair_to_root(node)
    }

    /// Hangs the lower tree `left` off the left spine of the taller tree `right`.
    fn join_below_left_spine(&mut self, left: u32, right: u32) -> u32 {
        let target_height = self.height[left as usize] + 1;
        let mut node = right;
        while self.height[node as usize] > target_height {
            node = self.kids(node)[0];
        }
        let mut carry = left;
        loop {
            let (kids, count) = self.kids_mut(node);
            if *count < 3 {
                kids.copy_within(0..*count as usize, 1);
                kids[0] = carry;
                *count += 1;
                self.link[carry as usize] = node;
                break;
            }
            let first = kids[0];
            kids.copy_within(1..3, 0);
            kids[2] = NONE;
            *count = 2;
            self.repair(node);
            carry = self.new_internal(carry, first);
            let up = self.parent(node);
            if up == NONE {
                return self.new_internal(carry, node);
            }
            node = up;
        }
        self.repair_to_root(node)
    }

    fn repair_to_root(&mut self, mut node: u32) -> u32 {
        loop {
            self.repair(node);
            let up = self.parent(node);
            if up == NONE {
                return node;
            }
            node = up;
        }
    }

    /// Splits the tree containing `leaf` into the leaves before it and the leaves from
    /// it on. Returns `(left_root, right_root)`; `left_root` is `None` when `leaf` was
    /// the first leaf. Owners are not set.
    pub(crate) fn split_before(&mut self, leaf: u32) -> (Option<u32>, u32) {
        let mut up = self.parent(leaf);
        self.link[leaf as usize] = UNOWNED_ROOT;
        let mut left: Option<u32> = None;
        let mut right = leaf;
        let mut node = leaf;
        while up != NONE {
            let child = node;
            node = up;
            up = self.parent(node);
            self.link[node as usize] = UNOWNED_ROOT;
            let kids = self.kids(node);
            let (k0, k1) = (kids[0], kids[1]);
            if kids.len() == 3 {
                let k2 = kids[2];
                if k0 == child {
                    // The two right siblings stay together under `node`.
                    let (kids, count) = self.kids_mut(node);
                    *kids = [k1, k2, NONE];
                    *count = 2;
                    self.repair(node);
                    right = self.concat(right, node);
                } else if k2 == child {
                    let (kids, count) = self.kids_mut(node);
                    *kids = [k0, k1, NONE];
                    *count = 2;
                    self.repair(node);
                    left = Some(match left {
                        None => node,
                        Some(tree) => self.concat(node, tree),
                    });
                } else {
                    self.link[k0 as usize] = UNOWNED_ROOT;
                    self.link[k2 as usize] = UNOWNED_ROOT;
                    self.release_internal(node);
                    left = Some(match left {
                        None => k0,
                        Some(tree) => self.concat(k0, tree),
                    });
                    right = self.concat(right, k2);
                }
            } else if k0 == child {
                self.link[k1 as usize] = UNOWNED_ROOT;
                self.release_internal(node);
                right = self.concat(right, k1);
            } else {
                self.link[k0 as usize] = UNOWNED_ROOT;
                self.release_internal(node);
                left = Some(match left {
                    None => k0,
                    Some(tree) => self.concat(k0, tree),
                });
            }
        }
        (left, right)
    }

    /// The leaves of the tree rooted at `root`, left to right (test helper).
    #[cfg(test)]
    fn leaves(&self, root: u32) -> Vec<u32> {
        let mut out = Vec::new();
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            if self.is_leaf(node) {
                out.push(node);
            } else {
                stack.extend(self.kids(node).iter().rev());
            }
        }
        out
    }

    /// Checks heights, parent links and cached minima below `root` (test helper).
    #[cfg(test)]
    fn check(&self, root: u32) {
        assert!(self.is_root(root));
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            if self.is_leaf(node) {
                assert_eq!(self.height[node as usize], 0);
                continue;
            }
            let kids = self.kids(node);
            assert!(kids.len() == 2 || kids.len() == 3);
            let mut best = i64::MAX;
            for &kid in kids {
                assert_eq!(self.parent(kid), node);
                assert_eq!(self.height[kid as usize] + 1, self.height[node as usize]);
                best = best.min(self.priority[self.min_leaf[kid as usize] as usize]);
                stack.push(kid);
            }
            assert_eq!(self.priority[self.min_leaf[node as usize] as usize], best);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // The crate's seeded generator; only the tests reach outside the algorithm modules.
    use crate::synthetic::SplitMix;

    /// Builds trees by concatenating runs of leaves, splits them again at random
    /// points, and checks order, structure, minima and owners throughout.
    #[test]
    fn concat_and_split_preserve_order_and_minima() {
        let mut rng = SplitMix::new(0x1234_5678_9abc_def1);
        for round in 0..200 {
            let n = 1 + rng.below(60) as usize;
            let mut queues = ConcatenableQueues::new(n, i64::MAX);
            for leaf in 0..n as u32 {
                queues.set_priority(leaf, rng.below(1000) as i64);
            }
            // Grow to the right on even rounds and to the left on odd ones, so that
            // both spine joins are exercised.
            let last = n as u32 - 1;
            let mut root = if round % 2 == 0 { 0 } else { last };
            for step in 1..n as u32 {
                root = if round % 2 == 0 {
                    queues.concat(root, step)
                } else {
                    queues.concat(last - step, root)
                };
            }
            queues.set_owner(root, 4242);
            queues.check(root);
            let expected: Vec<u32> = (0..n as u32).collect();
            assert_eq!(queues.leaves(root), expected);
            for leaf in 0..n as u32 {
                assert_eq!(queues.find(leaf), 4242);
            }
            let true_min = (0..n as u32).map(|l| queues.leaf_priority(l)).min();
            assert_eq!(Some(queues.min_priority(root)), true_min);

            // Split at a random leaf and check both halves.
            let at = rng.below(n as u64) as u32;
            let (left, right) = queues.split_before(at);
            queues.check(right);
            assert_eq!(queues.leaves(right), (at..n as u32).collect::<Vec<_>>());
            match left {
                None => assert_eq!(at, 0),
                Some(left) => {
                    queues.check(left);
                    assert_eq!(queues.leaves(left), (0..at).collect::<Vec<_>>());
                    // Re-join and change a priority: the minimum must follow.
                    let joined = queues.concat(left, right);
                    queues.check(joined);
                    queues.set_priority(at, -1);
                    assert_eq!(queues.min_priority(joined), -1);
                    assert_eq!(queues.min_leaf(joined), at);
                    queues.check(joined);
                }
            }
        }
    }

    /// Concatenates many small trees of different heights, then splits at every
    /// boundary from the right, as blossom expansion does.
    #[test]
    fn multiway_concat_then_split_at_boundaries() {
        let mut rng = SplitMix::new(99);
        let n = 200;
        let mut queues = ConcatenableQueues::new(n, 0);
        for leaf in 0..n as u32 {
            queues.set_priority(leaf, rng.below(97) as i64);
        }
        // Runs of varying length form the "children".
        let mut runs: Vec<(u32, u32)> = Vec::new();
        let mut start = 0u32;
        while (start as usize) < n {
            let len = 1 + rng.below(17) as u32;
            let end = (start + len).min(n as u32);
            let mut root = start;
            for leaf in start + 1..end {
                root = queues.concat(root, leaf);
            }
            runs.push((start, root));
            start = end;
        }
        let mut whole = runs[0].1;
        for &(_, root) in &runs[1..] {
            whole = queues.concat(whole, root);
        }
        queues.check(whole);
        assert_eq!(queues.leaves(whole), (0..n as u32).collect::<Vec<_>>());
        let mut rest = whole;
        for window in runs.windows(2).rev() {
            let (first_leaf, _) = window[1];
            let (left, right) = queues.split_before(first_leaf);
            queues.check(right);
            let end = runs
                .iter()
                .find(|(s, _)| *s > first_leaf)
                .map_or(n as u32, |(s, _)| *s);
            assert_eq!(queues.leaves(right), (first_leaf..end).collect::<Vec<_>>());
            rest = left.expect("a later run has leaves before it");
        }
        queues.check(rest);
        assert_eq!(queues.leaves(rest), (0..runs[1].0).collect::<Vec<_>>());
    }
}

//! matcher: exact maximum-weight matching on general (non-bipartite) graphs.
//!
//! lexbot pairs people for language exchange: everyone keeps a short list of good
//! candidates, the union of those lists is an undirected graph with integer scores as
//! edge weights, and a round of pairings is a matching in that graph. This crate finds
//! a matching of the largest possible total weight, exactly, using Edmonds'
//! primal-dual blossom algorithm structured like van Rantwijk's O(n·m·log n)
//! implementation (lazy dual updates, priority queues for every bound on the dual
//! step, alternating trees kept across augmentations; the module `solver` explains
//! it and where it departs), after splitting the graph into connected components.
//!
//! What is maximised is the total weight and nothing else: among several matchings of
//! equal weight any one may be returned. [`max_weight_matching_prefer_more_pairs`]
//! breaks such ties towards more pairs. Weights are integers and so is all the
//! arithmetic: duals are kept doubled, never as floats.
//!
//! On top of it, [`run_wave`] pairs lexbot's waiting pool: who may meet whom
//! ([`pool`]), what a pair is worth ([`weight`], with shared time in real local time,
//! [`week`]), each person's best K candidates ([`candidates`]), then the exact
//! matching; [`greedy`], [`synthetic`], [`report`] and [`export`] are for comparing,
//! benchmarking and checking it. [`worker`] runs waves for real: it leads, reads the
//! queue from the store and proposes through the runtime.
//!
//! ```ignore
//! use matcher::{Edge, max_weight_matching};
//! let edges = [Edge::new(0, 1, 5), Edge::new(1, 2, 11), Edge::new(2, 3, 5)];
//! let matching = max_weight_matching(4, &edges)?;
//! assert_eq!(matching.pairs(), vec![(1, 2)]);
//! assert_eq!(matching.total_weight, 11);
//! ```

mod cat_queue;
mod error;
mod heap;
mod solver;

// The pairing layer on top of the algorithm: lexbot's waiting pool, candidate search,
// scores, and the tooling around a wave. Only these modules read bot-core's types, and
// only `worker` does I/O (the store, the runtime, the clock).
pub mod candidates;
pub mod export;
pub mod greedy;
pub mod pool;
pub mod report;
pub mod synthetic;
pub mod wave;
pub mod week;
pub mod weight;
pub mod worker;

pub use candidates::{CandidateGraph, Scored, SearchConfig, SearchStats};
pub use error::MatchingError;
pub use greedy::greedy_matching;
pub use pool::{Ineligible, MatchingFacts, Pool, PoolError, WaitingPerson};
pub use wave::{ProposedPair, Wave, WaveConfig, WaveError, run_wave};
pub use weight::Weights;

use solver::NONE;

/// The largest accepted edge weight. The algorithm works on doubled duals that can
/// reach a few times the largest weight; this bound keeps every intermediate value
/// far inside `i64`.
pub const MAX_WEIGHT: i64 = i64::MAX / 64;

/// The largest accepted vertex count (blossom ids, up to twice this, must leave the
/// top bit of a `u32` free).
pub const MAX_VERTICES: usize = (1 << 30) - 1;

/// The largest accepted edge count (adjacency offsets go up to twice this in a `u32`).
pub const MAX_EDGES: usize = (u32::MAX / 2) as usize;

/// An undirected edge `{u, v}` with a positive integer weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Edge {
    pub u: u32,
    pub v: u32,
    pub w: i64,
}

impl Edge {
    pub const fn new(u: u32, v: u32, w: i64) -> Self {
        Self { u, v, w }
    }
}

/// A matching: who is paired with whom, and the total weight of the pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matching {
    /// `mate[v]` is the vertex paired with `v`, if any; symmetric.
    pub mate: Vec<Option<u32>>,
    /// Sum of the weights of the matched edges (`i128`: many large weights can
    /// exceed `i64`).
    pub total_weight: i128,
}

impl Matching {
    /// The matched pairs `(u, v)` with `u < v`, ordered by `u`.
    pub fn pairs(&self) -> Vec<(u32, u32)> {
        self.mate
            .iter()
            .enumerate()
            .filter_map(|(u, mate)| match *mate {
                Some(v) if (u as u32) < v => Some((u as u32, v)),
                _ => None,
            })
            .collect()
    }

    /// The number of matched pairs.
    pub fn pair_count(&self) -> usize {
        self.mate.iter().filter(|mate| mate.is_some()).count() / 2
    }
}

/// An optimal solution of the dual of Edmonds' matching LP, which proves the
/// matching optimal; all values are doubled so that they are integers.
///
/// With `u_v = vertex_dual_2x[v] / 2` and `z_B = dual_2x / 2` of each blossom `B`:
/// every edge has `u_i + u_j + Σ z_B (B ∋ i, j) ≥ w_ij`, with equality on matched
/// edges; `u_v ≥ 0`, and `u_v = 0` on unmatched vertices; `z_B ≥ 0`, and `z_B > 0` only
/// if `B` (an odd vertex set) holds `(|B| - 1) / 2` matched edges. Then the matching's
/// weight equals the dual objective `Σ u_v + Σ z_B (|B| - 1) / 2`, which bounds every
/// matching's weight from above.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DualCertificate {
    pub vertex_dual_2x: Vec<i64>,
    /// The blossoms that exist when the algorithm stops (including zero-dual ones).
    pub blossoms: Vec<BlossomDual>,
}

/// One odd vertex set of a [`DualCertificate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlossomDual {
    pub dual_2x: i64,
    /// Its vertices, ascending.
    pub vertices: Vec<u32>,
}

/// A maximum-weight matching of the graph with vertices `0..vertex_count` and the
/// given edges.
///
/// Edges are undirected; each unordered pair may appear once, with distinct
/// endpoints below `vertex_count` and a weight in `1..=MAX_WEIGHT`. Isolated vertices
/// are fine. Among matchings of equal weight, which one is returned is unspecified.
///
/// Time O(n·m·(Δ + log n)) in the worst case for maximum degree Δ, far less on
/// pool-shaped graphs (about 4 CPU-seconds for 100 000 people with 20 kept
/// candidates each, see the benchmark); memory O(n + m). Inputs whose augmenting
/// paths are all long (a path with weights rising towards its middle, say) take
/// quadratic time, as in any augmenting-path method.
pub fn max_weight_matching(vertex_count: usize, edges: &[Edge]) -> Result<Matching, MatchingError> {
    let graph = Graph::validated(vertex_count, edges)?;
    Ok(graph.solve(false).0)
}

/// Like [`max_weight_matching`], and also returns the dual solution that certifies
/// optimality, for callers (and tests) that want to check the result independently.
pub fn max_weight_matching_with_duals(
    vertex_count: usize,
    edges: &[Edge],
) -> Result<(Matching, DualCertificate), MatchingError> {
    let graph = Graph::validated(vertex_count, edges)?;
    Ok(graph.solve(true))
}

/// A maximum-weight matching that, among all matchings of maximum weight, has the
/// most pairs.
///
/// Solves with every weight replaced by `w · s + 1`, where `s = ⌊n/2⌋ + 1` exceeds
/// the number of pairs any matching can have: a heavier matching then always wins
/// (it gains at least `s`, the `+1`s differ by less), and between equally heavy ones
/// the one with more pairs wins. The returned `total_weight` is in the original
/// weights. Fails with [`MatchingError::ScaledWeightTooLarge`] if a scaled weight would
/// exceed [`MAX_WEIGHT`] (checked, never wrapping).
///
/// This is not a maximum-cardinality matching: a lighter matching with more pairs
/// still loses.
pub fn max_weight_matching_prefer_more_pairs(
    vertex_count: usize,
    edges: &[Edge],
) -> Result<Matching, MatchingError> {
    let graph = Graph::validated(vertex_count, edges)?;
    let scale = i64::try_from(vertex_count / 2 + 1).unwrap_or(i64::MAX);
    let mut scaled = Vec::with_capacity(edges.len());
    for (edge_index, edge) in edges.iter().enumerate() {
        let w = edge
            .w
            .checked_mul(scale)
            .and_then(|w| w.checked_add(1))
            .filter(|&w| w <= MAX_WEIGHT)
            .ok_or(MatchingError::ScaledWeightTooLarge {
                edge_index,
                weight: edge.w,
                scale,
                max: MAX_WEIGHT,
            })?;
        scaled.push(Edge { w, ..*edge });
    }
    // Same ends in the same order: the validation and adjacency of `edges` hold.
    let (mut matching, _) = graph.reweighted(&scaled).solve(false);
    matching.total_weight = edges
        .iter()
        .filter(|edge| matching.mate[edge.u as usize] == Some(edge.v))
        .map(|edge| i128::from(edge.w))
        .sum();
    Ok(matching)
}

/// A validated graph with adjacency lists.
struct Graph<'a> {
    vertex_count: usize,
    edges: &'a [Edge],
    /// Incident edge indices of vertex `v` are `adjacency[start[v]..start[v + 1]]`.
    adjacency_start: Vec<u32>,
    adjacency: Vec<u32>,
}

impl<'a> Graph<'a> {
    fn validated(vertex_count: usize, edges: &'a [Edge]) -> Result<Self, MatchingError> {
        if vertex_count > MAX_VERTICES {
            return Err(MatchingError::TooManyVertices {
                vertex_count,
                max: MAX_VERTICES,
            });
        }
        if edges.len() > MAX_EDGES {
            return Err(MatchingError::TooManyEdges {
                edge_count: edges.len(),
                max: MAX_EDGES,
            });
        }
        for (edge_index, edge) in edges.iter().enumerate() {
            for vertex in [edge.u, edge.v] {
                if vertex as usize >= vertex_count {
                    return Err(MatchingError::VertexOutOfRange {
                        edge_index,
                        vertex,
                        vertex_count,
                    });
                }
            }
            if edge.u == edge.v {
                return Err(MatchingError::SelfLoop {
                    edge_index,
                    vertex: edge.u,
                });
            }
            if edge.w <= 0 {
                return Err(MatchingError::NonPositiveWeight {
                    edge_index,
                    weight: edge.w,
                });
            }
            if edge.w > MAX_WEIGHT {
                return Err(MatchingError::WeightTooLarge {
                    edge_index,
                    weight: edge.w,
                    max: MAX_WEIGHT,
                });
            }
        }

        let mut adjacency_start = vec![0u32; vertex_count + 1];
        for edge in edges {
            adjacency_start[edge.u as usize + 1] += 1;
            adjacency_start[edge.v as usize + 1] += 1;
        }
        for v in 0..vertex_count {
            adjacency_start[v + 1] += adjacency_start[v];
        }
        let mut fill = adjacency_start.clone();
        let mut adjacency = vec![0u32; 2 * edges.len()];
        for (index, edge) in edges.iter().enumerate() {
            for end in [edge.u, edge.v] {
                adjacency[fill[end as usize] as usize] = index as u32;
                fill[end as usize] += 1;
            }
        }
        let graph = Self {
            vertex_count,
            edges,
            adjacency_start,
            adjacency,
        };
        graph.reject_duplicates()?;
        Ok(graph)
    }

    /// The same graph with `edges` in place of its edges: the same ends in the same
    /// order, only the weights (already checked) differ.
    fn reweighted(self, edges: &[Edge]) -> Graph<'_> {
        debug_assert!(
            self.edges.len() == edges.len()
                && self
                    .edges
                    .iter()
                    .zip(edges)
                    .all(|(a, b)| (a.u, a.v) == (b.u, b.v))
        );
        Graph {
            vertex_count: self.vertex_count,
            edges,
            adjacency_start: self.adjacency_start,
            adjacency: self.adjacency,
        }
    }

    fn incident(&self, v: usize) -> &[u32] {
        &self.adjacency[self.adjacency_start[v] as usize..self.adjacency_start[v + 1] as usize]
    }

    fn other_end(&self, edge: u32, v: u32) -> u32 {
        let edge = &self.edges[edge as usize];
        if edge.u == v { edge.v } else { edge.u }
    }

    /// Finds two edges joining the same pair in O(n + m): while scanning vertex `u`,
    /// `seen_from[x] == u` means an earlier edge of `u` already reached `x`.
    fn reject_duplicates(&self) -> Result<(), MatchingError> {
        let mut seen_from = vec![NONE; self.vertex_count];
        let mut seen_edge = vec![NONE; self.vertex_count];
        for u in 0..self.vertex_count {
            for &edge in self.incident(u) {
                let x = self.other_end(edge, u as u32) as usize;
                if seen_from[x] == u as u32 {
                    let (first, second) = (seen_edge[x].min(edge), seen_edge[x].max(edge));
                    let (a, b) = ((u as u32).min(x as u32), (u as u32).max(x as u32));
                    return Err(MatchingError::DuplicateEdge {
                        first_index: first as usize,
                        second_index: second as usize,
                        u: a,
                        v: b,
                    });
                }
                seen_from[x] = u as u32;
                seen_edge[x] = edge;
            }
        }
        Ok(())
    }

    /// Solves each connected component on its own and stitches the results.
    fn solve(&self, report_blossoms: bool) -> (Matching, DualCertificate) {
        let n = self.vertex_count;
        let mut mate = vec![None; n];
        let mut vertex_dual_2x = vec![0i64; n];
        let mut blossoms = Vec::new();

        // Component discovery by breadth-first search; `local_id` doubles as the
        // visited mark.
        let mut local_id = vec![NONE; n];
        let mut members: Vec<u32> = Vec::new();
        let mut ends: Vec<[u32; 2]> = Vec::new();
        let mut weights: Vec<i64> = Vec::new();
        for start in 0..n {
            if local_id[start] != NONE || self.incident(start).is_empty() {
                continue;
            }
            members.clear();
            members.push(start as u32);
            local_id[start] = 0;
            let mut head = 0;
            while head < members.len() {
                let x = members[head];
                head += 1;
                for &edge in self.incident(x as usize) {
                    let y = self.other_end(edge, x);
                    if local_id[y as usize] == NONE {
                        local_id[y as usize] = members.len() as u32;
                        members.push(y);
                    }
                }
            }

            if members.len() == 2 {
                // A lone edge: match it; duals w/2 on both ends are tight.
                let (a, b) = (members[0], members[1]);
                let edge = self.edges[self.incident(a as usize)[0] as usize];
                mate[a as usize] = Some(b);
                mate[b as usize] = Some(a);
                vertex_dual_2x[a as usize] = edge.w;
                vertex_dual_2x[b as usize] = edge.w;
                continue;
            }

            ends.clear();
            weights.clear();
            for &x in &members {
                for &edge in self.incident(x as usize) {
                    let edge = &self.edges[edge as usize];
                    // Each edge once: from its `u` end.
                    if edge.u == x {
                        ends.push([local_id[edge.u as usize], local_id[edge.v as usize]]);
                        weights.push(edge.w);
                    }
                }
            }
            let solution = solver::solve(
                members.len(),
                std::mem::take(&mut ends),
                std::mem::take(&mut weights),
                report_blossoms,
            );
            for (local, &global) in members.iter().enumerate() {
                let local_mate = solution.mate[local];
                if local_mate != NONE {
                    mate[global as usize] = Some(members[local_mate as usize]);
                }
                vertex_dual_2x[global as usize] = solution.vertex_dual_2x[local];
            }
            for (dual_2x, local_vertices) in solution.blossoms {
                let mut vertices: Vec<u32> = local_vertices
                    .iter()
                    .map(|&local| members[local as usize])
                    .collect();
                vertices.sort_unstable();
                blossoms.push(BlossomDual { dual_2x, vertices });
            }
        }

        let total_weight = self
            .edges
            .iter()
            .filter(|edge| mate[edge.u as usize] == Some(edge.v))
            .map(|edge| i128::from(edge.w))
            .sum();
        (
            Matching { mate, total_weight },
            DualCertificate {
                vertex_dual_2x,
                blossoms,
            },
        )
    }
}

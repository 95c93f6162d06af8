//! Why an input graph was refused.

use std::fmt;

/// An input the matching refuses, naming the offending edge (its index in the
/// slice passed in) where there is one. Nothing in this crate panics on bad input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchingError {
    /// More vertices than the internal `u32` blossom ids can address.
    TooManyVertices { vertex_count: usize, max: usize },
    /// More edges than the internal `u32` adjacency offsets can address.
    TooManyEdges { edge_count: usize, max: usize },
    /// An endpoint is not below the vertex count.
    VertexOutOfRange {
        edge_index: usize,
        vertex: u32,
        vertex_count: usize,
    },
    /// Both endpoints are the same vertex.
    SelfLoop { edge_index: usize, vertex: u32 },
    /// Weights must be positive: a zero or negative edge never improves a matching,
    /// so drop it before calling.
    NonPositiveWeight { edge_index: usize, weight: i64 },
    /// Above [`crate::MAX_WEIGHT`], the doubled dual arithmetic could overflow.
    WeightTooLarge {
        edge_index: usize,
        weight: i64,
        max: i64,
    },
    /// The same unordered pair appears twice (in either orientation).
    DuplicateEdge {
        first_index: usize,
        second_index: usize,
        u: u32,
        v: u32,
    },
    /// `weight * scale + 1` for the pair-count tie-break exceeds
    /// [`crate::MAX_WEIGHT`].
    ScaledWeightTooLarge {
        edge_index: usize,
        weight: i64,
        scale: i64,
        max: i64,
    },
}

impl fmt::Display for MatchingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManyVertices { vertex_count, max } => {
                write!(f, "{vertex_count} vertices; at most {max} are supported")
            }
            Self::TooManyEdges { edge_count, max } => {
                write!(f, "{edge_count} edges; at most {max} are supported")
            }
            Self::VertexOutOfRange {
                edge_index,
                vertex,
                vertex_count,
            } => write!(
                f,
                "edge {edge_index} names vertex {vertex}, but there are only {vertex_count} vertices"
            ),
            Self::SelfLoop { edge_index, vertex } => {
                write!(f, "edge {edge_index} is a self-loop on vertex {vertex}")
            }
            Self::NonPositiveWeight { edge_index, weight } => {
                write!(
                    f,
                    "edge {edge_index} has weight {weight}; weights must be positive"
                )
            }
            Self::WeightTooLarge {
                edge_index,
                weight,
                max,
            } => write!(
                f,
                "edge {edge_index} has weight {weight}, above the maximum {max}"
            ),
            Self::DuplicateEdge {
                first_index,
                second_index,
                u,
                v,
            } => write!(
                f,
                "edges {first_index} and {second_index} both join vertices {u} and {v}"
            ),
            Self::ScaledWeightTooLarge {
                edge_index,
                weight,
                scale,
                max,
            } => write!(
                f,
                "edge {edge_index}: weight {weight} scaled by {scale} for the pair-count \
                 tie-break exceeds the maximum {max}"
            ),
        }
    }
}

impl std::error::Error for MatchingError {}

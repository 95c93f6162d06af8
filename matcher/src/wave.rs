//! One matching wave, pure: the waiting pool in, the pairs to propose out.
//!
//! Prepare the pool ([`Pool::build`]), keep everyone's best K candidates
//! ([`candidate_graph`]), then take the exact maximum-weight matching of that graph
//! that, among the heaviest, has the most pairs
//! ([`max_weight_matching_prefer_more_pairs`]). Reads no clock: `now` comes in.

use std::fmt;

use bot_core::domain::PersonId;
use chrono::{DateTime, Utc};

use crate::candidates::{CandidateGraph, SearchConfig, candidate_graph};
use crate::pool::{Pool, PoolError, WaitingPerson};
use crate::weight::Weights;
use crate::{Matching, MatchingError, max_weight_matching_prefer_more_pairs};

/// How a wave scores and prunes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WaveConfig {
    pub weights: Weights,
    pub search: SearchConfig,
}

/// Two people the wave proposes to each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProposedPair {
    pub first: PersonId,
    pub second: PersonId,
    pub weight: i64,
}

/// What a wave computed, kept whole so that it can be explained and exported.
#[derive(Debug, Clone)]
pub struct Wave {
    pub pool: Pool,
    pub graph: CandidateGraph,
    pub matching: Matching,
    /// In the order of the first person's input position.
    pub pairs: Vec<ProposedPair>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaveError {
    Pool(PoolError),
    Matching(MatchingError),
}

impl fmt::Display for WaveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pool(error) => write!(f, "waiting pool: {error}"),
            Self::Matching(error) => write!(f, "matching: {error}"),
        }
    }
}

impl std::error::Error for WaveError {}

impl From<PoolError> for WaveError {
    fn from(error: PoolError) -> Self {
        Self::Pool(error)
    }
}

impl From<MatchingError> for WaveError {
    fn from(error: MatchingError) -> Self {
        Self::Matching(error)
    }
}

/// Runs one wave over `people` at `now`.
pub fn run_wave(
    people: &[WaitingPerson],
    now: DateTime<Utc>,
    config: &WaveConfig,
) -> Result<Wave, WaveError> {
    let pool = Pool::build(people, now, config.weights.clone())?;
    let graph = candidate_graph(&pool, &config.search);
    let matching = match_graph(&graph)?;
    let pairs = proposed_pairs(&pool, &graph, &matching);
    Ok(Wave {
        pool,
        graph,
        matching,
        pairs,
    })
}

/// The exact matching of a candidate graph (heaviest, then most pairs).
pub fn match_graph(graph: &CandidateGraph) -> Result<Matching, MatchingError> {
    max_weight_matching_prefer_more_pairs(graph.vertex_count, &graph.edges)
}

/// The matched pairs with their people and weights.
pub fn proposed_pairs(
    pool: &Pool,
    graph: &CandidateGraph,
    matching: &Matching,
) -> Vec<ProposedPair> {
    // The graph's edges are sorted by (u, v), so each pair's weight is found by search.
    matching
        .pairs()
        .into_iter()
        .filter_map(|(u, v)| {
            let at = graph
                .edges
                .binary_search_by_key(&(u, v), |edge| (edge.u, edge.v))
                .ok()?;
            Some(ProposedPair {
                first: pool.id(u),
                second: pool.id(v),
                weight: graph.edges[at].w,
            })
        })
        .collect()
}

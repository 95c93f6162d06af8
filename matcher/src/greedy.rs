//! The greedy baseline the exact matching is compared with: heaviest edge first.

use crate::{Edge, Matching};

/// Takes edges from the heaviest down (equal weights in input order) whenever both
/// ends are still free. O(m log m); at least half the optimal weight, usually ~90%.
pub fn greedy_matching(vertex_count: usize, edges: &[Edge]) -> Matching {
    let mut order: Vec<&Edge> = edges
        .iter()
        .filter(|edge| {
            edge.u != edge.v && (edge.u as usize) < vertex_count && (edge.v as usize) < vertex_count
        })
        .collect();
    order.sort_by_key(|edge| std::cmp::Reverse(edge.w));
    let mut mate = vec![None; vertex_count];
    let mut total_weight = 0i128;
    for edge in order {
        let (u, v) = (edge.u as usize, edge.v as usize);
        if mate[u].is_none() && mate[v].is_none() {
            mate[u] = Some(edge.v);
            mate[v] = Some(edge.u);
            total_weight += i128::from(edge.w);
        }
    }
    Matching { mate, total_weight }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_takes_the_heaviest_edge_even_when_two_lighter_ones_are_worth_more() {
        let edges = [Edge::new(0, 1, 5), Edge::new(1, 2, 8), Edge::new(2, 3, 5)];
        let matching = greedy_matching(4, &edges);
        assert_eq!(matching.pairs(), vec![(1, 2)]);
        assert_eq!(matching.total_weight, 8);
    }
}

//! Exactness of the maximum-weight matching, checked three independent ways:
//! exhaustive search on small graphs, the LP dual certificate on larger ones, and
//! the published hand-made cases of van Rantwijk's test suite with their known
//! answers. Plus edge cases and input errors.
//!
//! Counts are modest in debug builds; `cargo test --release -p matcher` runs more.

use std::collections::HashMap;

use matcher::synthetic::SplitMix;
use matcher::{
    DualCertificate, Edge, MAX_WEIGHT, Matching, MatchingError, max_weight_matching,
    max_weight_matching_prefer_more_pairs, max_weight_matching_with_duals,
};

/// Larger counts when optimised.
const SCALE: usize = if cfg!(debug_assertions) { 1 } else { 8 };

// ----- Random graphs ---------------------------------------------------------

// Random numbers come from the crate's splitmix64 (`SplitMix`), which the synthetic
// pool and the pool tests use too.

/// A graph where each pair is an edge with probability `per_mille`/1000 and weights
/// are uniform in `1..=max_weight` (small maxima make many ties).
fn random_graph(rng: &mut SplitMix, n: usize, per_mille: u64, max_weight: i64) -> Vec<Edge> {
    let mut edges = Vec::new();
    for u in 0..n as u32 {
        for v in u + 1..n as u32 {
            if rng.chance(per_mille) {
                let w = 1 + rng.below(max_weight as u64) as i64;
                // Random orientation: the algorithm must not care.
                edges.push(if rng.chance(500) {
                    Edge::new(u, v, w)
                } else {
                    Edge::new(v, u, w)
                });
            }
        }
    }
    edges
}

/// A sparse graph with about `degree` random neighbours per vertex.
fn random_sparse_graph(rng: &mut SplitMix, n: usize, degree: usize, max_weight: i64) -> Vec<Edge> {
    let mut seen = std::collections::HashSet::new();
    let mut edges = Vec::new();
    for u in 0..n as u32 {
        for _ in 0..degree / 2 {
            let v = rng.below(n as u64) as u32;
            let key = (u.min(v), u.max(v));
            if u != v && seen.insert(key) {
                edges.push(Edge::new(u, v, 1 + rng.below(max_weight as u64) as i64));
            }
        }
    }
    edges
}

/// Many small odd cliques and cycles joined by a few bridges, with near-equal
/// weights: a blossom-heavy shape.
fn odd_cluster_graph(rng: &mut SplitMix, clusters: usize) -> (usize, Vec<Edge>) {
    let mut edges = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut add = |edges: &mut Vec<Edge>, u: u32, v: u32, w: i64| {
        if u != v && seen.insert((u.min(v), u.max(v))) {
            edges.push(Edge::new(u, v, w));
        }
    };
    let mut starts = Vec::new();
    let mut n = 0u32;
    for _ in 0..clusters {
        let size = [3u32, 5, 7, 9][rng.below(4) as usize];
        starts.push((n, size));
        let base_weight = 50 + rng.below(10) as i64;
        for i in 0..size {
            add(
                &mut edges,
                n + i,
                n + (i + 1) % size,
                base_weight + rng.below(3) as i64,
            );
            if rng.chance(300) {
                let j = rng.below(size as u64) as u32;
                add(
                    &mut edges,
                    n + i,
                    n + j,
                    base_weight - 5 + rng.below(8) as i64,
                );
            }
        }
        n += size;
    }
    for _ in 0..clusters * 2 {
        let (a, sa) = starts[rng.below(starts.len() as u64) as usize];
        let (b, sb) = starts[rng.below(starts.len() as u64) as usize];
        let u = a + rng.below(sa as u64) as u32;
        let v = b + rng.below(sb as u64) as u32;
        add(&mut edges, u, v, 20 + rng.below(60) as i64);
    }
    (n as usize, edges)
}

/// Pool-shaped: people in clusters each look at 30 others (mostly in their own
/// cluster), score each pair and keep their best 10; the graph is the union.
fn pool_graph(rng: &mut SplitMix, people: usize, max_weight: i64) -> Vec<Edge> {
    let clusters = people.div_ceil(200).max(1);
    let cluster_of: Vec<usize> = (0..people)
        .map(|_| rng.below(clusters as u64) as usize)
        .collect();
    let mut members = vec![Vec::new(); clusters];
    for (person, &cluster) in cluster_of.iter().enumerate() {
        members[cluster].push(person as u32);
    }
    let score = |a: u32, b: u32| {
        let (lo, hi) = (u64::from(a.min(b)), u64::from(a.max(b)));
        1 + (SplitMix::new(lo << 32 | hi).next_u64() % max_weight as u64) as i64
    };
    let mut pairs = std::collections::HashSet::new();
    for person in 0..people as u32 {
        let own = &members[cluster_of[person as usize]];
        let mut candidates: Vec<(i64, u32)> = (0..30)
            .map(|_| {
                if rng.chance(850) {
                    own[rng.below(own.len() as u64) as usize]
                } else {
                    rng.below(people as u64) as u32
                }
            })
            .filter(|&other| other != person)
            .map(|other| (score(person, other), other))
            .collect();
        candidates.sort_unstable_by(|a, b| b.cmp(a));
        candidates.dedup_by_key(|c| c.1);
        for &(_, other) in candidates.iter().take(10) {
            pairs.insert((person.min(other), person.max(other)));
        }
    }
    let mut pairs: Vec<(u32, u32)> = pairs.into_iter().collect();
    pairs.sort_unstable();
    pairs
        .into_iter()
        .map(|(u, v)| Edge::new(u, v, score(u, v)))
        .collect()
}

// ----- Reference: exhaustive search -----------------------------------------

/// The best `(weight, pairs)` over all matchings, lexicographically, by dynamic
/// programming over the set of still-free vertices: the lowest free vertex either
/// stays single or pairs with a free neighbour. Exponential; for n <= ~20.
fn brute_force(n: usize, edges: &[Edge]) -> (i64, u32) {
    assert!(n <= 22, "exhaustive search is for small graphs");
    let mut weight = vec![vec![0i64; n]; n];
    for edge in edges {
        weight[edge.u as usize][edge.v as usize] = edge.w;
        weight[edge.v as usize][edge.u as usize] = edge.w;
    }
    let mut memo: Vec<Option<(i64, u32)>> = vec![None; 1 << n];
    fn best(mask: usize, weight: &[Vec<i64>], memo: &mut [Option<(i64, u32)>]) -> (i64, u32) {
        if mask == 0 {
            return (0, 0);
        }
        if let Some(known) = memo[mask] {
            return known;
        }
        let i = mask.trailing_zeros() as usize;
        let rest = mask & !(1 << i);
        let mut result = best(rest, weight, memo);
        let mut others = rest;
        while others != 0 {
            let j = others.trailing_zeros() as usize;
            others &= others - 1;
            if weight[i][j] > 0 {
                let (w, c) = best(rest & !(1 << j), weight, memo);
                result = result.max((w + weight[i][j], c + 1));
            }
        }
        memo[mask] = Some(result);
        result
    }
    best((1usize << n) - 1, &weight, &mut memo)
}

/// The best weight alone (what `max_weight_matching` must reach).
fn brute_force_weight(n: usize, edges: &[Edge]) -> i64 {
    // The lexicographic optimum has the optimal weight first.
    brute_force(n, edges).0
}

// ----- Independent checks ----------------------------------------------------

/// The matching is symmetric, uses only existing edges, and reports its weight.
fn assert_valid_matching(n: usize, edges: &[Edge], matching: &Matching) {
    assert_eq!(matching.mate.len(), n);
    let mut weight_of: HashMap<(u32, u32), i64> = HashMap::new();
    for edge in edges {
        weight_of.insert((edge.u.min(edge.v), edge.u.max(edge.v)), edge.w);
    }
    let mut total: i128 = 0;
    for (v, mate) in matching.mate.iter().enumerate() {
        if let Some(u) = *mate {
            assert_eq!(
                matching.mate[u as usize],
                Some(v as u32),
                "asymmetric mate at {v}"
            );
            let key = ((v as u32).min(u), (v as u32).max(u));
            let w = weight_of
                .get(&key)
                .unwrap_or_else(|| panic!("matched pair {key:?} is not an edge"));
            if (v as u32) < u {
                total += i128::from(*w);
            }
        }
    }
    assert_eq!(matching.total_weight, total);
    assert_eq!(matching.pair_count(), matching.pairs().len());
}

/// Checks the LP dual certificate from first principles (see
/// [`DualCertificate`]); passing proves the matching has maximum weight. Returns
/// how many blossoms had a positive dual, so callers can see blossoms were involved.
fn assert_certificate(
    n: usize,
    edges: &[Edge],
    matching: &Matching,
    cert: &DualCertificate,
) -> usize {
    assert_valid_matching(n, edges, matching);
    let u2 = &cert.vertex_dual_2x;
    assert_eq!(u2.len(), n);
    for (v, &dual) in u2.iter().enumerate() {
        assert!(dual >= 0, "vertex {v} has negative dual {dual}");
        if matching.mate[v].is_none() {
            assert_eq!(dual, 0, "unmatched vertex {v} has non-zero dual");
        }
    }
    let mut adjacency = vec![Vec::new(); n];
    for (index, edge) in edges.iter().enumerate() {
        adjacency[edge.u as usize].push(index);
        adjacency[edge.v as usize].push(index);
    }
    let mut slack_2x: Vec<i128> = edges
        .iter()
        .map(|e| i128::from(u2[e.u as usize]) + i128::from(u2[e.v as usize]) - 2 * i128::from(e.w))
        .collect();
    let mut member = vec![usize::MAX; n];
    let mut dual_objective_2x: i128 = u2.iter().map(|&u| i128::from(u)).sum();
    let mut positive = 0;
    for (index, blossom) in cert.blossoms.iter().enumerate() {
        let size = blossom.vertices.len();
        assert!(
            size >= 3 && size % 2 == 1,
            "blossom {index} has size {size}"
        );
        assert!(blossom.dual_2x >= 0, "blossom {index} has negative dual");
        for &v in &blossom.vertices {
            assert!((v as usize) < n);
            assert_ne!(
                member[v as usize], index,
                "vertex {v} twice in blossom {index}"
            );
            member[v as usize] = index;
        }
        if blossom.dual_2x == 0 {
            continue;
        }
        positive += 1;
        let mut inner_matched = 0;
        for &v in &blossom.vertices {
            if let Some(m) = matching.mate[v as usize]
                && member[m as usize] == index
            {
                inner_matched += 1;
            }
            for &e in &adjacency[v as usize] {
                let edge = edges[e];
                let other = if edge.u == v { edge.v } else { edge.u };
                if member[other as usize] == index && v < other {
                    slack_2x[e] += i128::from(blossom.dual_2x);
                }
            }
        }
        assert_eq!(
            inner_matched / 2,
            (size - 1) / 2,
            "blossom {index} with positive dual is not full"
        );
        dual_objective_2x += i128::from(blossom.dual_2x) * ((size as i128 - 1) / 2);
    }
    for (index, edge) in edges.iter().enumerate() {
        assert!(
            slack_2x[index] >= 0,
            "edge {index} {edge:?} has negative slack"
        );
        if matching.mate[edge.u as usize] == Some(edge.v) {
            assert_eq!(
                slack_2x[index], 0,
                "matched edge {index} {edge:?} is not tight"
            );
        }
    }
    // Implied by the above, checked anyway: no duality gap.
    assert_eq!(dual_objective_2x, 2 * matching.total_weight);
    positive
}

/// Solves with duals, checks the certificate, and returns the matching.
fn solve_certified(n: usize, edges: &[Edge]) -> (Matching, usize) {
    let (matching, cert) = max_weight_matching_with_duals(n, edges).expect("valid input");
    let blossoms = assert_certificate(n, edges, &matching, &cert);
    let plain = max_weight_matching(n, edges).expect("valid input");
    assert_eq!(plain.total_weight, matching.total_weight);
    (matching, blossoms)
}

// ----- 1. Thousands of small graphs against exhaustive search ----------------

#[test]
fn small_random_graphs_match_exhaustive_search() {
    let mut rng = SplitMix::new(1);
    let mut with_blossoms = 0;
    let cases = 4000 * SCALE;
    for case in 0..cases {
        let n = rng.below(13) as usize;
        let per_mille = [150, 300, 500, 800, 1000][rng.below(5) as usize];
        let max_weight = [1, 2, 3, 5, 10, 1000][rng.below(6) as usize];
        let edges = random_graph(&mut rng, n, per_mille, max_weight);
        let (matching, blossoms) = solve_certified(n, &edges);
        let expected = brute_force_weight(n, &edges);
        assert_eq!(
            matching.total_weight,
            i128::from(expected),
            "case {case}: n={n} edges={edges:?}"
        );
        with_blossoms += usize::from(blossoms > 0);
    }
    // The generator must actually produce blossoms, or this test proves little.
    assert!(
        with_blossoms > cases / 50,
        "only {with_blossoms} cases had blossoms"
    );
}

#[test]
fn medium_graphs_match_exhaustive_search() {
    let mut rng = SplitMix::new(2);
    for case in 0..30 * SCALE {
        let n = 14 + rng.below(if cfg!(debug_assertions) { 3 } else { 7 }) as usize;
        let per_mille = [200, 400, 700][rng.below(3) as usize];
        let max_weight = [3, 20, 1000][rng.below(3) as usize];
        let edges = random_graph(&mut rng, n, per_mille, max_weight);
        let (matching, _) = solve_certified(n, &edges);
        assert_eq!(
            matching.total_weight,
            i128::from(brute_force_weight(n, &edges)),
            "case {case}: n={n} edges={edges:?}"
        );
    }
}

#[test]
fn prefer_more_pairs_is_heaviest_then_largest() {
    let mut rng = SplitMix::new(3);
    for case in 0..2000 * SCALE {
        let n = rng.below(12) as usize;
        let per_mille = [300, 600, 1000][rng.below(3) as usize];
        let max_weight = [1, 2, 4, 30][rng.below(4) as usize];
        let edges = random_graph(&mut rng, n, per_mille, max_weight);
        let preferred = max_weight_matching_prefer_more_pairs(n, &edges).expect("valid input");
        assert_valid_matching(n, &edges, &preferred);
        let (weight, pairs) = brute_force(n, &edges);
        assert_eq!(
            (preferred.total_weight, preferred.pair_count()),
            (i128::from(weight), pairs as usize),
            "case {case}: n={n} edges={edges:?}"
        );
    }
}

#[test]
fn prefer_more_pairs_breaks_a_known_tie() {
    // Path 0-1-2-3 with weights 1, 2, 1: {1-2} and {0-1, 2-3} both weigh 2.
    let edges = [Edge::new(0, 1, 1), Edge::new(1, 2, 2), Edge::new(2, 3, 1)];
    let matching = max_weight_matching_prefer_more_pairs(4, &edges).expect("valid input");
    assert_eq!(matching.pairs(), vec![(0, 1), (2, 3)]);
    assert_eq!(matching.total_weight, 2);
    // A heavier single pair still beats two lighter ones.
    let edges = [Edge::new(0, 1, 1), Edge::new(1, 2, 3), Edge::new(2, 3, 1)];
    let matching = max_weight_matching_prefer_more_pairs(4, &edges).expect("valid input");
    assert_eq!(matching.pairs(), vec![(1, 2)]);
    assert_eq!(matching.total_weight, 3);
}

// ----- 2. Larger graphs against the dual certificate --------------------------

#[test]
fn larger_random_graphs_have_valid_certificates() {
    let mut rng = SplitMix::new(4);
    let mut blossoms_seen = 0;
    for case in 0..40 * SCALE {
        let n = 50 + rng.below(if cfg!(debug_assertions) { 700 } else { 1950 }) as usize;
        let degree = 2 + rng.below(24) as usize;
        let max_weight = [1, 3, 10, 1000, 1_000_000][rng.below(5) as usize];
        let edges = random_sparse_graph(&mut rng, n, degree, max_weight);
        let (matching, blossoms) = solve_certified(n, &edges);
        assert!(matching.total_weight > 0 || edges.is_empty(), "case {case}");
        blossoms_seen += blossoms;
    }
    assert!(blossoms_seen > 0, "no blossom ever had a positive dual");
}

#[test]
fn pool_shaped_graphs_have_valid_certificates() {
    let mut rng = SplitMix::new(10);
    let people = if cfg!(debug_assertions) { 3000 } else { 30000 };
    for max_weight in [5, 1000] {
        let edges = pool_graph(&mut rng, people, max_weight);
        let (matching, _) = solve_certified(people, &edges);
        // Pools like this have (nearly) perfect matchings.
        assert!(matching.pair_count() * 100 >= people / 2 * 95);
    }
}

#[test]
fn dense_graphs_have_valid_certificates() {
    let mut rng = SplitMix::new(5);
    for _ in 0..10 * SCALE {
        let n = 30 + rng.below(90) as usize;
        let per_mille = [300, 700, 1000][rng.below(3) as usize];
        let max_weight = [2, 50, 100_000][rng.below(3) as usize];
        let edges = random_graph(&mut rng, n, per_mille, max_weight);
        solve_certified(n, &edges);
    }
}

#[test]
fn blossom_heavy_graphs_have_valid_certificates() {
    let mut rng = SplitMix::new(6);
    let mut blossoms_seen = 0;
    for _ in 0..30 * SCALE {
        let clusters = 5 + rng.below(200) as usize;
        let (n, edges) = odd_cluster_graph(&mut rng, clusters);
        blossoms_seen += solve_certified(n, &edges).1;
    }
    assert!(
        blossoms_seen > 100,
        "only {blossoms_seen} positive blossoms"
    );
}

#[test]
fn blossom_heavy_small_graphs_match_exhaustive_search() {
    let mut rng = SplitMix::new(7);
    for case in 0..1500 * SCALE {
        let clusters = 1 + rng.below(3) as usize;
        let (n, edges) = odd_cluster_graph(&mut rng, clusters);
        if n > 18 {
            continue;
        }
        let (matching, _) = solve_certified(n, &edges);
        assert_eq!(
            matching.total_weight,
            i128::from(brute_force_weight(n, &edges)),
            "case {case}: n={n} edges={edges:?}"
        );
    }
}

#[test]
fn large_weights_near_the_limit_stay_exact() {
    let mut rng = SplitMix::new(8);
    for _ in 0..20 {
        let n = 2 + rng.below(11) as usize;
        let mut edges = random_graph(&mut rng, n, 600, 50);
        for edge in &mut edges {
            edge.w = MAX_WEIGHT - edge.w;
        }
        let (matching, _) = solve_certified(n, &edges);
        assert_eq!(
            matching.total_weight,
            i128::from(brute_force_weight(n, &edges))
        );
    }
}

/// Long structures that nest blossoms deeply or make long augmenting paths; these
/// would overflow a recursive implementation's stack.
#[test]
fn deep_structures_do_not_overflow_and_stay_optimal() {
    let n = if cfg!(debug_assertions) { 3001 } else { 30001 };
    // Every augmentation on the rising path runs through the whole matched middle,
    // so it costs O(n^2) in any augmenting-path method: keep it shorter.
    let path_n = n.min(10001);
    // One long odd cycle with equal weights: (n - 1) / 2 pairs.
    let cycle: Vec<Edge> = (0..n as u32)
        .map(|i| Edge::new(i, (i + 1) % n as u32, 7))
        .collect();
    let (matching, _) = solve_certified(n, &cycle);
    assert_eq!(matching.pair_count(), (n - 1) / 2);

    // A path whose weights rise towards the middle forces long augmenting paths.
    let path: Vec<Edge> = (0..path_n as u32 - 1)
        .map(|i| Edge::new(i, i + 1, 1 + i64::from(i.min(path_n as u32 - 2 - i))))
        .collect();
    let (matching, _) = solve_certified(path_n, &path);
    assert_eq!(matching.pair_count(), (path_n - 1) / 2);

    // Triangles chained through their corners, weights increasing along the chain:
    // blossoms inside blossoms.
    let mut edges = Vec::new();
    let triangles = n as u32 / 3;
    for t in 0..triangles {
        let a = 3 * t;
        let w = 100 + i64::from(t % 50);
        edges.push(Edge::new(a, a + 1, w));
        edges.push(Edge::new(a + 1, a + 2, w));
        edges.push(Edge::new(a, a + 2, w));
        if t + 1 < triangles {
            edges.push(Edge::new(a + 2, a + 3, w - 1));
        }
    }
    solve_certified(3 * triangles as usize, &edges);
}

#[test]
fn many_components_are_solved_independently() {
    let mut rng = SplitMix::new(9);
    let mut edges = Vec::new();
    let mut n = 0u32;
    let mut expected: i128 = 0;
    for _ in 0..300 {
        let size = 1 + rng.below(9) as u32;
        let local = random_graph(&mut rng, size as usize, 500, 20);
        expected += i128::from(brute_force_weight(size as usize, &local));
        edges.extend(local.iter().map(|e| Edge::new(e.u + n, e.v + n, e.w)));
        n += size;
    }
    let (matching, _) = solve_certified(n as usize, &edges);
    assert_eq!(matching.total_weight, expected);
}

// ----- 3. Known cases (van Rantwijk's mwmatching test suite) -----------------

/// Builds a graph from `(u, v, w)` triples with `n = 1 + max vertex`, solves it and
/// returns its sorted pairs; also checks the certificate and the exhaustive optimum.
fn pairs_of(triples: &[(u32, u32, i64)]) -> Vec<(u32, u32)> {
    let edges: Vec<Edge> = triples
        .iter()
        .map(|&(u, v, w)| Edge::new(u, v, w))
        .collect();
    let n = triples
        .iter()
        .map(|&(u, v, _)| u.max(v) as usize + 1)
        .max()
        .unwrap_or(0);
    let (matching, _) = solve_certified(n, &edges);
    assert_eq!(
        matching.total_weight,
        i128::from(brute_force_weight(n, &edges))
    );
    matching.pairs()
}

/// A graph as `(u, v, w)` triples and the pairs of its unique optimum.
type KnownCase = (&'static [(u32, u32, i64)], &'static [(u32, u32)]);

/// Checks each case with [`pairs_of`]; a failure names the group and the case's
/// position in it, counting from 1.
fn assert_known_cases(group: &str, cases: &[KnownCase]) {
    for (index, (triples, expected)) in cases.iter().enumerate() {
        assert_eq!(
            pairs_of(triples),
            expected.to_vec(),
            "{group} case {}",
            index + 1
        );
    }
}

#[test]
fn known_simple_cases() {
    let cases: &[KnownCase] = &[
        (&[(0, 1, 1)], &[(0, 1)]),
        (&[(1, 2, 10), (2, 3, 11)], &[(2, 3)]),
        (&[(1, 2, 5), (2, 3, 11), (3, 4, 5)], &[(2, 3)]),
        // Non-maximum cardinality: leaving vertices single is better.
        (
            &[
                (0, 1, 2),
                (0, 4, 3),
                (1, 2, 7),
                (1, 5, 2),
                (2, 3, 9),
                (2, 5, 4),
                (3, 4, 8),
                (3, 5, 4),
            ],
            &[(1, 2), (3, 4)],
        ),
    ];
    assert_known_cases("simple", cases);
}

#[test]
fn known_blossom_cases() {
    let cases: &[KnownCase] = &[
        // Create S-blossom and use it for augmentation.
        (
            &[(1, 2, 8), (1, 3, 9), (2, 3, 10), (3, 4, 7)],
            &[(1, 2), (3, 4)],
        ),
        (
            &[
                (1, 2, 8),
                (1, 3, 9),
                (2, 3, 10),
                (3, 4, 7),
                (1, 6, 5),
                (4, 5, 6),
            ],
            &[(1, 6), (2, 3), (4, 5)],
        ),
        // Create S-blossom, relabel as T-blossom, use for augmentation.
        (
            &[
                (1, 2, 9),
                (1, 3, 8),
                (2, 3, 10),
                (1, 4, 5),
                (4, 5, 4),
                (1, 6, 3),
            ],
            &[(1, 6), (2, 3), (4, 5)],
        ),
        (
            &[
                (1, 2, 9),
                (1, 3, 8),
                (2, 3, 10),
                (1, 4, 5),
                (4, 5, 3),
                (1, 6, 4),
            ],
            &[(1, 6), (2, 3), (4, 5)],
        ),
        (
            &[
                (1, 2, 9),
                (1, 3, 8),
                (2, 3, 10),
                (1, 4, 5),
                (4, 5, 3),
                (3, 6, 4),
            ],
            &[(1, 2), (3, 6), (4, 5)],
        ),
        // Create nested S-blossom, use for augmentation.
        (
            &[
                (1, 2, 9),
                (1, 3, 9),
                (2, 3, 10),
                (2, 4, 8),
                (3, 5, 8),
                (4, 5, 10),
                (5, 6, 6),
            ],
            &[(1, 3), (2, 4), (5, 6)],
        ),
        // Create S-blossom, relabel as S, include in nested S-blossom.
        (
            &[
                (1, 2, 10),
                (1, 7, 10),
                (2, 3, 12),
                (3, 4, 20),
                (3, 5, 20),
                (4, 5, 25),
                (5, 6, 10),
                (6, 7, 10),
                (7, 8, 8),
            ],
            &[(1, 2), (3, 4), (5, 6), (7, 8)],
        ),
        // Create nested S-blossom, augment, expand recursively.
        (
            &[
                (1, 2, 8),
                (1, 3, 8),
                (2, 3, 10),
                (2, 4, 12),
                (3, 5, 12),
                (4, 5, 14),
                (4, 6, 12),
                (5, 7, 12),
                (6, 7, 14),
                (7, 8, 12),
            ],
            &[(1, 2), (3, 5), (4, 6), (7, 8)],
        ),
        // Create S-blossom, relabel as T, expand.
        (
            &[
                (1, 2, 23),
                (1, 5, 22),
                (1, 6, 15),
                (2, 3, 25),
                (3, 4, 22),
                (4, 5, 25),
                (4, 8, 14),
                (5, 7, 13),
            ],
            &[(1, 6), (2, 3), (4, 8), (5, 7)],
        ),
        // Create nested S-blossom, relabel as T, expand.
        (
            &[
                (1, 2, 19),
                (1, 3, 20),
                (1, 8, 8),
                (2, 3, 25),
                (2, 4, 18),
                (3, 5, 18),
                (4, 5, 13),
                (4, 7, 7),
                (5, 6, 7),
            ],
            &[(1, 8), (2, 3), (4, 7), (5, 6)],
        ),
    ];
    assert_known_cases("blossom", cases);
}

#[test]
fn known_nasty_cases() {
    let cases: &[KnownCase] = &[
        // Create blossom, relabel as T in more than one way, expand, augment.
        (
            &[
                (1, 2, 45),
                (1, 5, 45),
                (2, 3, 50),
                (3, 4, 45),
                (4, 5, 50),
                (1, 6, 30),
                (3, 9, 35),
                (4, 8, 35),
                (5, 7, 26),
                (9, 10, 5),
            ],
            &[(1, 6), (2, 3), (4, 8), (5, 7), (9, 10)],
        ),
        // Again, slightly different.
        (
            &[
                (1, 2, 45),
                (1, 5, 45),
                (2, 3, 50),
                (3, 4, 45),
                (4, 5, 50),
                (1, 6, 30),
                (3, 9, 35),
                (4, 8, 26),
                (5, 7, 40),
                (9, 10, 5),
            ],
            &[(1, 6), (2, 3), (4, 8), (5, 7), (9, 10)],
        ),
        // Create blossom, relabel as T, expand such that a new least-slack S-to-free
        // edge is produced, augment.
        (
            &[
                (1, 2, 45),
                (1, 5, 45),
                (2, 3, 50),
                (3, 4, 45),
                (4, 5, 50),
                (1, 6, 30),
                (3, 9, 35),
                (4, 8, 28),
                (5, 7, 26),
                (9, 10, 5),
            ],
            &[(1, 6), (2, 3), (4, 8), (5, 7), (9, 10)],
        ),
        // Create nested blossom, relabel as T in more than one way, expand outer blossom
        // such that inner blossom ends up on an augmenting path.
        (
            &[
                (1, 2, 45),
                (1, 7, 45),
                (2, 3, 50),
                (3, 4, 45),
                (4, 5, 95),
                (4, 6, 94),
                (5, 6, 94),
                (6, 7, 50),
                (1, 8, 30),
                (3, 11, 35),
                (5, 9, 36),
                (7, 10, 26),
                (11, 12, 5),
            ],
            &[(1, 8), (2, 3), (4, 6), (5, 9), (7, 10), (11, 12)],
        ),
        // Create nested S-blossom, relabel as S, expand recursively.
        (
            &[
                (1, 2, 40),
                (1, 3, 40),
                (2, 3, 60),
                (2, 4, 55),
                (3, 5, 55),
                (4, 5, 50),
                (1, 8, 15),
                (5, 7, 30),
                (7, 6, 10),
                (8, 10, 10),
                (4, 9, 30),
            ],
            &[(1, 2), (3, 5), (4, 9), (6, 7), (8, 10)],
        ),
        // Create nested S-blossom, augment, expand only the outer one.
        (
            &[
                (0, 1, 8),
                (0, 2, 8),
                (1, 2, 9),
                (1, 3, 6),
                (2, 4, 7),
                (3, 4, 8),
                (3, 5, 5),
            ],
            &[(0, 1), (2, 4), (3, 5)],
        ),
        // Leave a nested S-blossom with a zero inner dual.
        (
            &[
                (0, 1, 7),
                (0, 2, 7),
                (1, 2, 9),
                (0, 3, 7),
                (0, 4, 7),
                (3, 4, 9),
                (5, 6, 2),
            ],
            &[(1, 2), (3, 4), (5, 6)],
        ),
        // Drop a redundant edge while making a blossom.
        (
            &[
                (0, 1, 7),
                (0, 4, 6),
                (1, 2, 9),
                (2, 3, 8),
                (3, 4, 9),
                (2, 5, 1),
                (4, 5, 1),
            ],
            &[(1, 2), (3, 4)],
        ),
    ];
    assert_known_cases("nasty", cases);
}

#[test]
fn known_corner_cases() {
    // Generated semi-automatically by van Rantwijk to fail on specific bugs.
    let cases: &[KnownCase] = &[
        (&[(0, 4, 26), (1, 3, 31), (1, 4, 49)], &[(0, 4), (1, 3)]),
        (&[(0, 2, 42), (0, 4, 36), (2, 3, 26)], &[(0, 4), (2, 3)]),
        (&[(0, 4, 43), (1, 4, 28), (2, 4, 38)], &[(0, 4)]),
        (&[(0, 1, 50), (0, 3, 46), (0, 4, 45)], &[(0, 1)]),
        (&[(0, 1, 35), (0, 3, 36), (0, 4, 46)], &[(0, 4)]),
        (
            &[
                (0, 1, 50),
                (0, 4, 51),
                (0, 5, 34),
                (1, 2, 43),
                (1, 4, 57),
                (2, 5, 47),
                (3, 4, 17),
            ],
            &[(0, 1), (2, 5), (3, 4)],
        ),
        (
            &[
                (0, 1, 34),
                (0, 3, 19),
                (1, 2, 45),
                (1, 3, 30),
                (1, 4, 37),
                (2, 4, 36),
            ],
            &[(0, 1), (2, 4)],
        ),
        (
            &[
                (0, 1, 48),
                (0, 3, 42),
                (0, 4, 57),
                (1, 3, 51),
                (1, 5, 36),
                (2, 3, 23),
                (4, 5, 46),
            ],
            &[(0, 1), (2, 3), (4, 5)],
        ),
        (
            &[
                (0, 1, 21),
                (0, 2, 25),
                (0, 5, 42),
                (1, 4, 40),
                (2, 3, 10),
                (2, 5, 40),
                (3, 5, 31),
                (4, 5, 58),
            ],
            &[(0, 2), (1, 4), (3, 5)],
        ),
        (
            &[
                (0, 2, 7),
                (0, 5, 20),
                (1, 2, 50),
                (1, 4, 46),
                (2, 3, 35),
                (2, 4, 8),
                (2, 5, 25),
                (3, 5, 47),
            ],
            &[(0, 5), (1, 4), (2, 3)],
        ),
        (
            &[
                (0, 1, 42),
                (0, 2, 60),
                (1, 3, 34),
                (1, 4, 58),
                (1, 5, 52),
                (2, 5, 60),
                (3, 5, 34),
                (4, 5, 57),
            ],
            &[(0, 2), (1, 4), (3, 5)],
        ),
        (
            &[(0, 1, 23), (0, 2, 26), (0, 3, 22), (0, 4, 41), (2, 4, 36)],
            &[(0, 1), (2, 4)],
        ),
        (
            &[
                (0, 3, 58),
                (0, 4, 49),
                (1, 5, 34),
                (2, 3, 22),
                (2, 5, 42),
                (4, 5, 36),
            ],
            &[(0, 4), (1, 5), (2, 3)],
        ),
        (
            &[
                (0, 1, 29),
                (0, 3, 35),
                (0, 4, 42),
                (1, 2, 12),
                (2, 4, 29),
                (3, 4, 44),
            ],
            &[(0, 1), (3, 4)],
        ),
        (
            &[
                (0, 4, 53),
                (0, 5, 42),
                (1, 4, 45),
                (2, 4, 59),
                (2, 6, 39),
                (4, 5, 69),
                (4, 6, 52),
            ],
            &[(0, 5), (1, 4), (2, 6)],
        ),
        (
            &[(0, 2, 13), (1, 2, 11), (2, 3, 39), (2, 4, 17), (3, 4, 35)],
            &[(0, 2), (3, 4)],
        ),
    ];
    assert_known_cases("corner", cases);
}

#[test]
fn odd_cycles() {
    // Triangle: one pair, the heaviest edge.
    assert_eq!(pairs_of(&[(0, 1, 5), (1, 2, 6), (0, 2, 4)]), vec![(1, 2)]);
    // Pentagon with equal weights: two pairs.
    let pentagon = pairs_of(&[(0, 1, 3), (1, 2, 3), (2, 3, 3), (3, 4, 3), (4, 0, 3)]);
    assert_eq!(pentagon.len(), 2);
    // Two triangles joined by a light edge: the bridge must not be used if that
    // costs a heavy triangle edge.
    let pairs = pairs_of(&[
        (0, 1, 10),
        (1, 2, 10),
        (0, 2, 10),
        (3, 4, 10),
        (4, 5, 10),
        (3, 5, 10),
        (2, 3, 1),
    ]);
    assert_eq!(pairs.len(), 3);
    assert!(pairs.contains(&(2, 3)));
}

// ----- Edge cases and errors --------------------------------------------------

#[test]
fn empty_and_isolated_graphs() {
    let matching = max_weight_matching(0, &[]).expect("empty graph");
    assert!(matching.mate.is_empty());
    assert_eq!(matching.total_weight, 0);

    let matching = max_weight_matching(5, &[]).expect("isolated vertices");
    assert_eq!(matching.mate, vec![None; 5]);
    assert_eq!(matching.pairs(), Vec::<(u32, u32)>::new());

    let (matching, cert) =
        max_weight_matching_with_duals(4, &[Edge::new(2, 1, 9)]).expect("one edge");
    assert_eq!(matching.mate, vec![None, Some(2), Some(1), None]);
    assert_eq!(matching.pairs(), vec![(1, 2)]);
    assert_eq!(matching.total_weight, 9);
    assert_eq!(cert.vertex_dual_2x, vec![0, 9, 9, 0]);
}

#[test]
fn invalid_inputs_are_reported_precisely() {
    assert_eq!(
        max_weight_matching(3, &[Edge::new(0, 1, 1), Edge::new(1, 3, 1)]),
        Err(MatchingError::VertexOutOfRange {
            edge_index: 1,
            vertex: 3,
            vertex_count: 3
        })
    );
    assert_eq!(
        max_weight_matching(3, &[Edge::new(2, 2, 1)]),
        Err(MatchingError::SelfLoop {
            edge_index: 0,
            vertex: 2
        })
    );
    assert_eq!(
        max_weight_matching(3, &[Edge::new(0, 1, 1), Edge::new(1, 2, 0)]),
        Err(MatchingError::NonPositiveWeight {
            edge_index: 1,
            weight: 0
        })
    );
    assert_eq!(
        max_weight_matching(3, &[Edge::new(0, 1, -4)]),
        Err(MatchingError::NonPositiveWeight {
            edge_index: 0,
            weight: -4
        })
    );
    assert_eq!(
        max_weight_matching(3, &[Edge::new(0, 1, MAX_WEIGHT + 1)]),
        Err(MatchingError::WeightTooLarge {
            edge_index: 0,
            weight: MAX_WEIGHT + 1,
            max: MAX_WEIGHT
        })
    );
    assert_eq!(
        max_weight_matching(
            4,
            &[Edge::new(0, 1, 1), Edge::new(2, 3, 1), Edge::new(1, 0, 2)]
        ),
        Err(MatchingError::DuplicateEdge {
            first_index: 0,
            second_index: 2,
            u: 0,
            v: 1
        })
    );
    assert_eq!(
        max_weight_matching_prefer_more_pairs(10, &[Edge::new(0, 1, MAX_WEIGHT / 2)]),
        Err(MatchingError::ScaledWeightTooLarge {
            edge_index: 0,
            weight: MAX_WEIGHT / 2,
            scale: 6,
            max: MAX_WEIGHT
        })
    );
    // The helper validates before scaling, so plain input errors come first.
    assert!(matches!(
        max_weight_matching_prefer_more_pairs(2, &[Edge::new(0, 0, 1)]),
        Err(MatchingError::SelfLoop { .. })
    ));
    // Errors render as sentences.
    let message = MatchingError::DuplicateEdge {
        first_index: 0,
        second_index: 2,
        u: 0,
        v: 1,
    }
    .to_string();
    assert_eq!(message, "edges 0 and 2 both join vertices 0 and 1");
}

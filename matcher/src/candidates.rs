//! Candidate generation: each person's best K partners, found without scoring every reciprocal pair.
//!
//! **Index.** Every eligible person `q` is filed under each `(native, target)`
//! language pair they have, then by their level in that target and by the region of
//! their timezone (UTC offset at the start of the week, in 2-hour bands). One such
//! group is a *cell*. Inside a cell people are sorted by a *key* that bounds what they
//! can add to any pair on their own: shared-time points for all their available
//! minutes, interest points for all their interests, style points for all their
//! styles, and their fairness. What the scan needs of them is copied into 24-byte
//! cards in cell order, so that a scan reads memory front to back. Building it is one
//! sort of about `n · natives · targets` entries.
//!
//! **Search.** Person `p` (native `a`, learning `b`) finds every reciprocal partner in
//! the buckets `(native b, target a)` over all their `(a, b)`; a big language pair such
//! as Spanish natives learning English holds thousands. So each cell gets an upper
//! bound on the weight of any pair with `p` before anyone in it is looked at: base,
//! `p`'s fairness, the level fit for the cell's level (exact for this language pair),
//! then each other part bounded from both sides — shared time by `p`'s overlap with
//! the union of the region's zones' instants for the cells the members marked, capped
//! by both sides' available minutes; interests and styles by what both sides have —
//! plus the cell's best fairness, and all of that by the cell's best key. Cells are
//! visited best bound first; `p` keeps a heap of their best K so far, and once it is
//! full, a cell whose bound is below the K-th weight is skipped and a cell scan stops
//! at the first key that cannot reach it. Someone whose key passes is bounded again
//! with the exact shared styles, shared interests (exact while the pool has at most 64
//! interests, an upper bound otherwise) and their own marked cells against the
//! region's instants (eight overlaps per region, computed once per `p`); only those
//! still in reach are scored exactly.
//!
//! The result is exactly the best K by (weight, earlier `waiting_since`, lower index)
//! that scoring every reciprocal pair would give: every bound is an upper bound, and
//! someone skipped in one bucket is still found in the bucket of the language pair that
//! gives their best level fit (the tests compare with brute force).
//!
//! **Cost.** The index is O(n log n). Per person: a bound for each cell of their
//! buckets (at most `natives · targets · 7 levels · 14 regions`, ~120 in the
//! benchmark's pool), a few table lookups per person looked at, and an exact score
//! (an 11-word AND and popcount, a level lookup when either side speaks or learns
//! several languages) per person still in reach. In the benchmark's pool at 100 000
//! people, of 3 191 reciprocal candidates per person 784 are looked at and 81 scored;
//! at 300 000, of ~9 500, 1 558 and 102 ([`SearchStats`] reports it). The looked-at
//! share falls with size but not the count: bigger cells hold more people whose own
//! key reaches the K-th weight. People are searched in parallel, in blocks.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::Edge;
use crate::pool::Pool;
use crate::weight::LevelCode;

/// Width of a timezone region, by UTC offset.
const REGION_MINUTES: i32 = 120;
/// Regions cover offsets from UTC−12 to UTC+14.
const REGIONS: usize = ((26 * 60) / REGION_MINUTES + 1) as usize;
/// People handed to a search thread at a time.
const BLOCK: usize = 256;

/// How candidates are chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchConfig {
    /// Each person keeps their best `top_k` candidates; the graph is the union.
    pub top_k: usize,
    /// Search threads; 0 means one per available core.
    pub threads: usize,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            top_k: 20,
            threads: 0,
        }
    }
}

/// What the search did, to show what pruning saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SearchStats {
    /// Reciprocal candidates: the people in every bucket searched, which scoring every
    /// reciprocal pair would score (someone who can swap two language pairs counts twice).
    pub reciprocal_candidates: u64,
    /// Cells whose bound was computed.
    pub cells_bounded: u64,
    /// Cells opened (bound reached the K-th weight).
    pub cells_opened: u64,
    /// People looked at inside opened cells.
    pub people_looked_at: u64,
    /// People scored exactly.
    pub pairs_scored: u64,
}

impl SearchStats {
    fn add(&mut self, other: &SearchStats) {
        self.reciprocal_candidates += other.reciprocal_candidates;
        self.cells_bounded += other.cells_bounded;
        self.cells_opened += other.cells_opened;
        self.people_looked_at += other.people_looked_at;
        self.pairs_scored += other.pairs_scored;
    }
}

/// The candidate graph of a wave: vertices are input positions, edges the union of
/// everyone's best K, each pair once with `u < v`, sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateGraph {
    pub vertex_count: usize,
    pub edges: Vec<Edge>,
    pub stats: SearchStats,
}

/// A candidate and the weight of the pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scored {
    pub other: u32,
    pub weight: i64,
}

/// Everyone's best `config.top_k` candidates, best first (by weight, then earlier
/// `waiting_since`, then lower index); empty lists for the ineligible.
pub fn top_candidates(pool: &Pool, config: &SearchConfig) -> (Vec<Vec<Scored>>, SearchStats) {
    let (found, stats) = search_all(pool, config);
    let mut lists = vec![Vec::new(); pool.len()];
    for (person, other, weight) in found {
        lists[person as usize].push(Scored { other, weight });
    }
    (lists, stats)
}

/// The union of everyone's best `config.top_k` candidates.
pub fn candidate_graph(pool: &Pool, config: &SearchConfig) -> CandidateGraph {
    let (mut found, stats) = search_all(pool, config);
    for (person, other, _) in &mut found {
        let (low, high) = ((*person).min(*other), (*person).max(*other));
        (*person, *other) = (low, high);
    }
    found.sort_unstable();
    found.dedup_by_key(|(u, v, _)| (*u, *v));
    CandidateGraph {
        vertex_count: pool.len(),
        edges: found
            .into_iter()
            .map(|(u, v, w)| Edge::new(u, v, w))
            .collect(),
        stats,
    }
}

/// Brute force, for checking: every pair that may be paired is scored, and each
/// person keeps their best `top_k` in the same order as [`top_candidates`]. O(n²).
pub fn brute_force_top_candidates(pool: &Pool, top_k: usize) -> Vec<Vec<Scored>> {
    let n = pool.len() as u32;
    (0..n)
        .map(|person| {
            let mut all: Vec<(Rank, Scored)> = (0..n)
                .filter(|&other| pool.may_pair(person, other))
                .filter_map(|other| {
                    let weight = pool.pair_weight(person, other)?;
                    (weight > 0).then(|| (rank(pool, other, weight), Scored { other, weight }))
                })
                .collect();
            all.sort_unstable_by_key(|(rank, _)| Reverse(*rank));
            all.into_iter()
                .take(top_k)
                .map(|(_, scored)| scored)
                .collect()
        })
        .collect()
}

/// Every pair that may be paired, with its weight: the graph with no pruning. O(n²).
pub fn all_pairs_graph(pool: &Pool) -> CandidateGraph {
    let n = pool.len() as u32;
    let mut edges = Vec::new();
    for u in 0..n {
        for v in u + 1..n {
            if pool.may_pair(u, v)
                && let Some(w) = pool.pair_weight(u, v).filter(|&w| w > 0)
            {
                edges.push(Edge::new(u, v, w));
            }
        }
    }
    CandidateGraph {
        vertex_count: pool.len(),
        edges,
        stats: SearchStats::default(),
    }
}

/// `(person, candidate, weight)`, one of a person's best K.
type Found = (u32, u32, i64);

/// A block of people (its number) and what was found for them.
type Block = (usize, Vec<Found>);

/// Order of candidates: heavier first, then whoever waits longer, then lower index.
type Rank = (i64, Reverse<i64>, Reverse<u32>);

fn rank(pool: &Pool, other: u32, weight: i64) -> Rank {
    (
        weight,
        Reverse(pool.seekers[other as usize].waiting_since),
        Reverse(other),
    )
}

/// One group of the index: people with the same `(native, target)`, level in that
/// target and timezone region, in `Index::cards[start..end]`, best key first.
struct Cell {
    level: LevelCode,
    region: u8,
    /// The union of the members' availability bytes and practice styles, and the
    /// most any member has of available minutes, interests and fairness.
    slots_union: u8,
    styles_union: u8,
    max_available_minutes: u32,
    max_interests: u32,
    max_fairness: i64,
    /// The first member's key, the largest.
    max_key: i64,
    start: u32,
    end: u32,
}

/// What the search reads about a candidate while bounding, kept in cell order and
/// small: a scan reads memory front to back instead of jumping around the pool.
/// Scores fit in 32 bits (`weight::MAX_PAIR_WEIGHT`).
#[derive(Debug, Clone, Copy)]
struct Card {
    /// What this person can add to any pair on their own (see the module docs).
    key: i32,
    fairness: i32,
    interest_signature: u64,
    person: u32,
    /// At most a week's 10 080.
    available_minutes: u16,
    slots: u8,
    styles: u8,
}

/// What the search reads only about the people it scores, parallel to the cards.
#[derive(Debug, Clone, Copy)]
struct CardDetail {
    waiting_since: i64,
    mask: u32,
    /// With one native language (or one target) this person and someone with one
    /// target (or one native) can swap only one language pair: its level fit is the
    /// cell's, and they are in only one of the other's buckets.
    single_native: bool,
    single_target: bool,
}

struct Index {
    /// `(native, target)` to a range of `cells`.
    buckets: HashMap<(u8, u8), (u32, u32)>,
    cells: Vec<Cell>,
    cards: Vec<Card>,
    details: Vec<CardDetail>,
    /// Per region, the union over its zones of each grid cell's instants.
    region_slot_masks: Vec<crate::week::SlotMasks>,
    /// `Weights::availability_points` of every minute count of a week.
    availability_points: Vec<i32>,
}

/// The sum of `per_slot` over the grid cells set in `slots`.
fn slot_sum(per_slot: &[u32; 8], slots: u8) -> u32 {
    let mut bits = slots;
    let mut sum = 0;
    while bits != 0 {
        sum += per_slot[bits.trailing_zeros() as usize];
        bits &= bits - 1;
    }
    sum
}

fn region_of(offset_minutes: i32) -> u8 {
    let band = (offset_minutes.clamp(-12 * 60, 14 * 60) + 12 * 60) / REGION_MINUTES;
    band as u8
}

impl Index {
    fn build(pool: &Pool) -> Index {
        let weights = &pool.weights;
        let zone_region: Vec<u8> = pool
            .zones
            .iter()
            .map(|zone| region_of(zone.offset_minutes))
            .collect();
        let mut region_slot_masks = vec![crate::week::SlotMasks::default(); REGIONS];
        for (zone, &region) in pool.zones.iter().zip(&zone_region) {
            for (union, mask) in region_slot_masks[usize::from(region)]
                .iter_mut()
                .zip(&zone.slot_masks)
            {
                *union = union.union(mask);
            }
        }

        // (native, target, level, region, best key first, person)
        let mut entries: Vec<(u8, u8, LevelCode, u8, Reverse<i64>, u32)> = Vec::new();
        for person in 0..pool.len() as u32 {
            if !pool.is_eligible(person) {
                continue;
            }
            let seeker = &pool.seekers[person as usize];
            let key = weights.availability_points(seeker.available_minutes)
                + weights.interest_points(seeker.interests.len())
                + weights.style_points_at_most(seeker.styles.count_ones())
                + seeker.fairness;
            let region = zone_region[seeker.zone as usize];
            for native in seeker.natives.iter() {
                for &(target, level) in pool.target_levels(person) {
                    entries.push((native, target, level, region, Reverse(key), person));
                }
            }
        }
        // Targets are distinct (`Pool::build`), so everyone is in a bucket at most once.
        entries.sort_unstable();

        let to_i32 = |value: i64| i32::try_from(value).unwrap_or(i32::MAX);
        let cards = entries
            .iter()
            .map(|&(_, _, _, _, Reverse(key), person)| {
                let seeker = &pool.seekers[person as usize];
                Card {
                    key: to_i32(key),
                    fairness: to_i32(seeker.fairness),
                    interest_signature: seeker.interest_signature,
                    person,
                    available_minutes: u16::try_from(seeker.available_minutes).unwrap_or(u16::MAX),
                    slots: seeker.slots,
                    styles: seeker.styles,
                }
            })
            .collect();
        let details = entries
            .iter()
            .map(|entry| {
                let seeker = &pool.seekers[entry.5 as usize];
                CardDetail {
                    waiting_since: seeker.waiting_since,
                    mask: seeker.mask,
                    single_native: seeker.natives.len() == 1,
                    single_target: seeker.targets.len() == 1,
                }
            })
            .collect();
        let mut index = Index {
            buckets: HashMap::new(),
            cells: Vec::new(),
            cards,
            details,
            region_slot_masks,
            availability_points: (0..=crate::week::WEEK_MINUTES)
                .map(|minutes| to_i32(weights.availability_points(minutes)))
                .collect(),
        };
        let mut start = 0;
        while start < entries.len() {
            let (native, target, level, region, _, _) = entries[start];
            let end = start
                + entries[start..]
                    .iter()
                    .take_while(|entry| {
                        (entry.0, entry.1, entry.2, entry.3) == (native, target, level, region)
                    })
                    .count();
            let members = &index.cards[start..end];
            let cell = index.cells.len() as u32;
            index.cells.push(Cell {
                level,
                region,
                slots_union: members.iter().fold(0, |union, card| union | card.slots),
                styles_union: members.iter().fold(0, |union, card| union | card.styles),
                max_available_minutes: members
                    .iter()
                    .map(|card| u32::from(card.available_minutes))
                    .max()
                    .unwrap_or(0),
                max_interests: members
                    .iter()
                    .map(|card| pool.seekers[card.person as usize].interests.len())
                    .max()
                    .unwrap_or(0),
                max_fairness: members
                    .iter()
                    .map(|card| i64::from(card.fairness))
                    .max()
                    .unwrap_or(0),
                max_key: members.first().map_or(0, |card| i64::from(card.key)),
                start: start as u32,
                end: end as u32,
            });
            index
                .buckets
                .entry((native, target))
                .and_modify(|range| range.1 = cell + 1)
                .or_insert((cell, cell + 1));
            start = end;
        }
        index
    }
}

/// Per-thread working memory.
struct Scratch {
    /// `seen[q] == p + 1` once `q` was scored for `p`.
    seen: Vec<u32>,
    /// Overlap minutes of the current person with each region's grid cells.
    region_overlap: Vec<[u32; 8]>,
    region_done: Vec<u32>,
    /// `(bound, level fit, cell)` of the current person's cells.
    cells: Vec<(i64, i64, u32)>,
    heap: BinaryHeap<Reverse<Rank>>,
    stats: SearchStats,
}

fn search_all(pool: &Pool, config: &SearchConfig) -> (Vec<Found>, SearchStats) {
    if config.top_k == 0 || pool.is_empty() {
        return (Vec::new(), SearchStats::default());
    }
    let index = Index::build(pool);
    let threads = if config.threads == 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        config.threads
    };
    let blocks = pool.len().div_ceil(BLOCK);
    let threads = threads.clamp(1, blocks);
    let next_block = AtomicUsize::new(0);

    // Per thread: the blocks of people it searched, with what it found for them.
    let mut results: Vec<(Vec<Block>, SearchStats)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let (index, next_block) = (&index, &next_block);
                scope.spawn(move || {
                    let mut scratch = Scratch {
                        seen: vec![0; pool.len()],
                        region_overlap: vec![[0; 8]; REGIONS],
                        region_done: vec![0; REGIONS],
                        cells: Vec::new(),
                        heap: BinaryHeap::with_capacity(config.top_k + 1),
                        stats: SearchStats::default(),
                    };
                    let mut done = Vec::new();
                    loop {
                        let block = next_block.fetch_add(1, Ordering::Relaxed);
                        if block >= blocks {
                            break;
                        }
                        let mut found = Vec::with_capacity(BLOCK * config.top_k);
                        let end = ((block + 1) * BLOCK).min(pool.len());
                        for person in block * BLOCK..end {
                            search_one(
                                pool,
                                index,
                                config.top_k,
                                person as u32,
                                &mut scratch,
                                &mut found,
                            );
                        }
                        done.push((block, found));
                    }
                    (done, scratch.stats)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| match worker.join() {
                Ok(result) => result,
                // A search thread only panics on a bug; surface it where it happened.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });

    let mut stats = SearchStats::default();
    let mut blocks_found: Vec<Block> = Vec::with_capacity(blocks);
    for (done, thread_stats) in results.drain(..) {
        stats.add(&thread_stats);
        blocks_found.extend(done);
    }
    blocks_found.sort_unstable_by_key(|(block, _)| *block);
    let found = blocks_found
        .into_iter()
        .flat_map(|(_, found)| found)
        .collect();
    (found, stats)
}

/// Finds `person`'s best `top_k` and appends them to `found`, best first.
fn search_one(
    pool: &Pool,
    index: &Index,
    top_k: usize,
    person: u32,
    scratch: &mut Scratch,
    found: &mut Vec<Found>,
) {
    if !pool.is_eligible(person) {
        return;
    }
    let me = &pool.seekers[person as usize];
    let search = Search {
        pool,
        index,
        top_k,
        person,
        my_mask: &pool.masks[me.mask as usize],
        stamp: person + 1,
        base: i64::from(pool.weights.base) + me.fairness,
        single_native: me.natives.len() == 1,
        single_target: me.targets.len() == 1,
        me,
    };
    search.bound_cells(scratch);
    scratch.heap.clear();
    let cells = std::mem::take(&mut scratch.cells);
    for &(bound, fit, cell_index) in &cells {
        if bound < entry_weight(&scratch.heap, top_k) {
            break;
        }
        search.scan_cell(scratch, fit, cell_index);
    }
    scratch.cells = cells;

    let mut best: Vec<Rank> = scratch.heap.drain().map(|Reverse(rank)| rank).collect();
    best.sort_unstable_by(|a, b| b.cmp(a));
    found.extend(
        best.into_iter()
            .map(|(weight, _, Reverse(other))| (person, other, weight)),
    );
}

/// One person's search: what stays the same while their cells are visited.
struct Search<'a> {
    pool: &'a Pool,
    index: &'a Index,
    top_k: usize,
    person: u32,
    me: &'a crate::pool::Seeker,
    my_mask: &'a crate::week::WeekMask,
    /// Marks this person's entries in the scratch's per-person tables.
    stamp: u32,
    /// The base points and this person's fairness, in every pair of theirs.
    base: i64,
    single_native: bool,
    single_target: bool,
}

impl Search<'_> {
    /// Bounds every cell of every bucket whose people can swap languages with this
    /// person, into `scratch.cells`, best first.
    fn bound_cells(&self, scratch: &mut Scratch) {
        let (pool, index, me) = (self.pool, self.index, self.me);
        let weights = &pool.weights;
        scratch.cells.clear();
        for taught in me.natives.iter() {
            for &(learned, my_level) in pool.target_levels(self.person) {
                let Some(&(first, last)) = index.buckets.get(&(learned, taught)) else {
                    continue;
                };
                for cell_index in first..last {
                    let cell = &index.cells[cell_index as usize];
                    let overlap = self.region_overlap(scratch, cell.region);
                    let reachable = slot_sum(&overlap, cell.slots_union);
                    scratch.stats.reciprocal_candidates += u64::from(cell.end - cell.start);
                    let fit = weights.level_fit(my_level, cell.level);
                    // Each part bounded from both sides, then the whole by the best key.
                    let parts = weights.availability_points(
                        reachable
                            .min(me.available_minutes)
                            .min(cell.max_available_minutes),
                    ) + weights
                        .interest_points(me.interests.len().min(cell.max_interests))
                        + weights
                            .style_points_at_most((me.styles & cell.styles_union).count_ones())
                        + cell.max_fairness;
                    let bound = self.base + fit + parts.min(cell.max_key);
                    scratch.cells.push((bound, fit, cell_index));
                }
            }
        }
        scratch.stats.cells_bounded += scratch.cells.len() as u64;
        scratch
            .cells
            .sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.2.cmp(&b.2)));
    }

    /// Looks at a cell's people, best key first, and scores those still in reach.
    fn scan_cell(&self, scratch: &mut Scratch, fit: i64, cell_index: u32) {
        let (index, me) = (self.index, self.me);
        let weights = &self.pool.weights;
        scratch.stats.cells_opened += 1;
        let cell = &index.cells[cell_index as usize];
        let overlap = self.region_overlap(scratch, cell.region);
        let members = &index.cards[cell.start as usize..cell.end as usize];
        for (position, card) in (cell.start..cell.end).zip(members) {
            let threshold = entry_weight(&scratch.heap, self.top_k);
            if self.base + fit + i64::from(card.key) < threshold {
                // Keys only fall from here on.
                break;
            }
            scratch.stats.people_looked_at += 1;
            // This runs for everyone looked at: table lookups, no division.
            let reachable = slot_sum(&overlap, card.slots)
                .min(me.available_minutes)
                .min(u32::from(card.available_minutes));
            let bound = self.base
                + fit
                + i64::from(card.fairness)
                + weights.style_points((me.styles & card.styles).count_ones())
                + weights.interest_points(
                    (me.interest_signature & card.interest_signature).count_ones(),
                )
                + i64::from(index.availability_points[reachable as usize]);
            if bound >= threshold && card.person != self.person {
                self.score(scratch, position, fit);
            }
        }
    }

    /// Scores the person on card `position` exactly and offers them to the heap.
    fn score(&self, scratch: &mut Scratch, position: u32, fit: i64) {
        let (pool, index, me) = (self.pool, self.index, self.me);
        let weights = &pool.weights;
        let card = &index.cards[position as usize];
        let detail = &index.details[position as usize];
        let other = card.person;
        // Someone who can swap only one language pair with me is in only one of my
        // buckets; anyone else may come up again and is scored once.
        let single_swap = (self.single_native || detail.single_target)
            && (self.single_target || detail.single_native);
        if !single_swap {
            if scratch.seen[other as usize] == self.stamp {
                return;
            }
            scratch.seen[other as usize] = self.stamp;
        }
        if pool.kept_apart(self.person, other) {
            return;
        }
        scratch.stats.pairs_scored += 1;

        // The exact weight, as `Pool::pair_weight` computes it, from the card where
        // the card tells enough.
        let fit = if single_swap {
            fit
        } else {
            match pool.level_fit(self.person, other) {
                Some(fit) => fit,
                None => return,
            }
        };
        let shared_interests = if pool.exact_interest_signatures {
            (me.interest_signature & card.interest_signature).count_ones()
        } else {
            me.interests
                .intersection_len(&pool.seekers[other as usize].interests)
        };
        let overlap_minutes = pool
            .week
            .overlap_minutes(self.my_mask, &pool.masks[detail.mask as usize]);
        let weight = self.base
            + fit
            + i64::from(card.fairness)
            + weights.style_points((me.styles & card.styles).count_ones())
            + weights.interest_points(shared_interests)
            + weights.availability_points(overlap_minutes);
        debug_assert_eq!(Some(weight), pool.pair_weight(self.person, other));
        if weight <= 0 {
            return;
        }
        let candidate = (weight, Reverse(detail.waiting_since), Reverse(other));
        if scratch.heap.len() < self.top_k {
            scratch.heap.push(Reverse(candidate));
        } else if scratch
            .heap
            .peek()
            .is_some_and(|Reverse(worst)| candidate > *worst)
        {
            scratch.heap.pop();
            scratch.heap.push(Reverse(candidate));
        }
    }

    /// This person's overlap, in minutes, with each grid cell of `region`'s zones,
    /// computed once per person and region.
    fn region_overlap(&self, scratch: &mut Scratch, region: u8) -> [u32; 8] {
        let region = usize::from(region);
        if scratch.region_done[region] != self.stamp {
            let masks = &self.index.region_slot_masks[region];
            scratch.region_overlap[region] = std::array::from_fn(|slot| {
                self.pool.week.overlap_minutes(self.my_mask, &masks[slot])
            });
            scratch.region_done[region] = self.stamp;
        }
        scratch.region_overlap[region]
    }
}

/// The weight a candidate must reach to enter a full heap (anything, while it is not).
fn entry_weight(heap: &BinaryHeap<Reverse<Rank>>, top_k: usize) -> i64 {
    match heap.peek() {
        Some(Reverse((weight, _, _))) if heap.len() >= top_k => *weight,
        _ => i64::MIN,
    }
}

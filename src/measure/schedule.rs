//! The order in which the toolchains under comparison are built within each measurement round.
//!
//! This module owns one decision: a counterbalanced, rotating build order (a Williams design),
//! so that a machine's drift (thermal throttling, a background job, a filling page cache) is
//! spread evenly over the toolchains instead of always favouring whichever one goes first or
//! always follows a particular other one.
//!
//! It does not know what a subject is (toolchain, revision, profile), how a build is run or
//! timed, or how the timings are analysed; subjects are plain indices `0..k`.

/// The order in which `subjects` subjects (indices `0..subjects`) are built in round number
/// `round` (0-based).
///
/// Every round is a permutation of `0..subjects`. The rounds cycle through the rows of a Williams
/// design, a balanced Latin square: the first row is `0, 1, k-1, 2, k-2, …` and row `r` adds `r`
/// (mod `k`) to every entry. For even `k` those `k` rows are the cycle; for odd `k` they are
/// followed by the same `k` rows reversed, giving a cycle of `2k` rounds.
///
/// Over one full cycle every subject goes first equally often, every subject occupies every
/// position equally often, and every ordered pair "a immediately followed by b" (a ≠ b) occurs
/// equally often: once per `k` rounds for even `k`, twice per `2k` rounds for odd `k`. The first
/// `k` rounds alone already form a Latin square, so even a short run sees each subject in each
/// position once.
///
/// Degenerate sizes: `0` subjects give an empty order, `1` gives `[0]` in every round, and `2`
/// alternates `[0, 1]`, `[1, 0]`. Any `round` is accepted (the cycle wraps).
pub(crate) fn round_order(subjects: usize, round: usize) -> Vec<usize> {
    let k = subjects;
    if k == 0 {
        return Vec::new();
    }
    let mirrored = k % 2 == 1;
    let cycle = if mirrored { k.saturating_mul(2) } else { k };
    let row = round % cycle;
    let shift = row % k;
    let mut order: Vec<usize> = (0..k).map(|j| shifted(first_row_entry(k, j), shift, k)).collect();
    if mirrored && row >= k {
        order.reverse();
    }
    order
}

/// Entry `j` of the first row of the Williams design for `k` subjects: `0, 1, k-1, 2, k-2, …`.
///
/// Requires `j < k` (so `k ≥ 1`).
fn first_row_entry(k: usize, j: usize) -> usize {
    if j == 0 {
        0
    } else if j % 2 == 1 {
        j.div_ceil(2)
    } else {
        k - j / 2
    }
}

/// `(value + shift) mod k` for `value < k` and `shift < k`, without overflowing.
fn shifted(value: usize, shift: usize, k: usize) -> usize {
    let room = k - shift;
    if value >= room { value - room } else { value + shift }
}

#[cfg(test)]
mod tests {
    use super::round_order;

    /// The number of rounds in one full cycle of the design.
    fn cycle(k: usize) -> usize {
        if k % 2 == 1 { 2 * k } else { k }
    }

    #[test]
    fn every_round_is_a_permutation() {
        for k in 0..=12 {
            for round in 0..3 * cycle(k).max(1) {
                let mut order = round_order(k, round);
                order.sort_unstable();
                assert_eq!(order, (0..k).collect::<Vec<_>>(), "k = {k}, round = {round}");
            }
        }
    }

    #[test]
    fn first_rows_match_the_williams_construction() {
        assert_eq!(round_order(4, 0), [0, 1, 3, 2]);
        assert_eq!(round_order(4, 1), [1, 2, 0, 3]);
        assert_eq!(round_order(3, 0), [0, 1, 2]);
        assert_eq!(round_order(3, 3), [2, 1, 0]);
        assert_eq!(round_order(5, 0), [0, 1, 4, 2, 3]);
    }

    #[test]
    fn degenerate_sizes() {
        assert!(round_order(0, 0).is_empty());
        assert!(round_order(0, 7).is_empty());
        for round in 0..5 {
            assert_eq!(round_order(1, round), [0]);
        }
        assert_eq!(round_order(2, 0), [0, 1]);
        assert_eq!(round_order(2, 1), [1, 0]);
        assert_eq!(round_order(2, 2), [0, 1]);
        assert_eq!(round_order(2, 3), [1, 0]);
    }

    #[test]
    fn huge_round_numbers_wrap() {
        for k in 1..=7 {
            let round = usize::MAX;
            assert_eq!(round_order(k, round), round_order(k, round % cycle(k)));
        }
    }

    #[test]
    fn each_subject_goes_first_and_sits_everywhere_equally_often() {
        for k in 1..=12 {
            let rounds = cycle(k);
            let mut at = vec![vec![0usize; k]; k];
            for round in 0..rounds {
                for (position, &subject) in round_order(k, round).iter().enumerate() {
                    at[subject][position] += 1;
                }
            }
            let expected = rounds / k;
            for (subject, positions) in at.iter().enumerate() {
                assert!(positions.iter().all(|&c| c == expected), "k = {k}, subject {subject}: {positions:?}");
            }
        }
    }

    #[test]
    fn the_first_k_rounds_are_a_latin_square() {
        for k in 1..=12 {
            for position in 0..k {
                let mut column: Vec<usize> = (0..k).map(|round| round_order(k, round)[position]).collect();
                column.sort_unstable();
                assert_eq!(column, (0..k).collect::<Vec<_>>(), "k = {k}, position {position}");
            }
        }
    }

    #[test]
    fn every_ordered_neighbour_pair_occurs_equally_often() {
        for k in 2..=12 {
            let mut follows = vec![vec![0usize; k]; k];
            for round in 0..cycle(k) {
                for pair in round_order(k, round).windows(2) {
                    follows[pair[0]][pair[1]] += 1;
                }
            }
            let expected = if k % 2 == 0 { 1 } else { 2 };
            for (a, row) in follows.iter().enumerate() {
                for (b, &count) in row.iter().enumerate() {
                    let want = if a == b { 0 } else { expected };
                    assert_eq!(count, want, "k = {k}: {a} followed by {b}");
                }
            }
        }
    }
}

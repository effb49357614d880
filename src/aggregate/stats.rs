//! Fisher's exact test for 2×2 tables and multiple-testing corrections.
//!
//! The area tables are small (a few dozen associations), where χ² is wrong; Fisher's test is exact.
//! Two-sided p uses the usual convention: the sum of the probabilities of every table with the
//! same margins that is no more likely than the observed one (with a 1e-7 relative tolerance for
//! ties, as R's `fisher.test` does).

/// Two-sided Fisher exact p for the table `[[a, b], [c, d]]`.
pub fn fisher_exact_two_sided(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let row1 = a + b;
    let col1 = a + c;
    let n = a + b + c + d;
    if n == 0 {
        return 1.0;
    }
    let min_a = col1.saturating_sub(n - row1);
    let max_a = row1.min(col1);
    let log_p =
        |x: u64| -> f64 { log_choose(row1, x) + log_choose(n - row1, col1 - x) - log_choose(n, col1) };
    let observed = log_p(a);
    let threshold = observed + (1e-7f64).ln_1p();
    let mut p = 0.0;
    for x in min_a..=max_a {
        let lp = log_p(x);
        if lp <= threshold {
            p += lp.exp();
        }
    }
    p.min(1.0)
}

fn log_choose(n: u64, k: u64) -> f64 {
    if k > n {
        return f64::NEG_INFINITY;
    }
    log_factorial(n) - log_factorial(k) - log_factorial(n - k)
}

fn log_factorial(n: u64) -> f64 {
    (2..=n).map(|i| (i as f64).ln()).sum()
}

/// Holm's step-down adjustment: controls the family-wise error rate across the tags.
pub fn holm(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&i, &j| p_values[i].total_cmp(&p_values[j]).then(i.cmp(&j)));
    let mut adjusted = vec![0.0; m];
    let mut running_max: f64 = 0.0;
    for (rank, &index) in order.iter().enumerate() {
        let value = ((m - rank) as f64 * p_values[index]).min(1.0);
        running_max = running_max.max(value);
        adjusted[index] = running_max;
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fisher_matches_known_values() {
        // R: fisher.test(matrix(c(3, 1, 1, 3), 2))$p.value = 0.4857143
        assert!((fisher_exact_two_sided(3, 1, 1, 3) - 0.485_714_3).abs() < 1e-6);
        // R: fisher.test(matrix(c(10, 2, 3, 15), 2))$p.value = 0.0005367241 (a=10, b=3, c=2, d=15)
        assert!((fisher_exact_two_sided(10, 3, 2, 15) - 0.000_536_724_1).abs() < 1e-8);
        assert_eq!(fisher_exact_two_sided(0, 0, 0, 0), 1.0);
        assert!((fisher_exact_two_sided(5, 0, 5, 0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn holm_is_monotone_and_capped() {
        let adjusted = holm(&[0.01, 0.04, 0.03, 0.5]);
        assert_eq!(adjusted, vec![0.04, 0.09, 0.09, 0.5]);
    }
}

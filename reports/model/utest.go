package model

import "math"

// Alpha is the significance level of Compare's rank test: a difference
// between runs with repeats is significant when the Mann-Whitney U test's
// two-sided p-value is at most Alpha (benchstat's default).
const Alpha = 0.05

// maxExact bounds the sample sizes for which the U distribution is
// counted exactly; larger samples use the normal approximation.
const maxExact = 30

// Testable reports whether samples of n1 and n2 values can ever reach
// Alpha: the smallest two-sided p-value, with the samples fully apart, is
// 2 / C(n1+n2, n1).
func Testable(n1, n2 int) bool {
	if n1 < 1 || n2 < 1 {
		return false
	}
	return 2/binomial(n1+n2, n1) <= Alpha
}

func binomial(n, k int) float64 {
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}

// MannWhitneyP is the two-sided p-value of the Mann-Whitney U test that xs
// and ys come from the same distribution (ties count a half).
func MannWhitneyP(xs, ys []float64) float64 {
	n1, n2 := len(xs), len(ys)
	if n1 == 0 || n2 == 0 {
		return 1
	}
	var u float64
	for _, x := range xs {
		for _, y := range ys {
			switch {
			case x < y:
				u++
			case x == y:
				u += 0.5
			}
		}
	}
	var lo, hi float64 // P(U <= u), P(U >= u)
	if n1 <= maxExact && n2 <= maxExact {
		counts := uCounts(n1, n2)
		total := binomial(n1+n2, n1)
		for k, c := range counts {
			if float64(k) <= u {
				lo += c
			}
			if float64(k) >= u {
				hi += c
			}
		}
		lo, hi = lo/total, hi/total
	} else {
		mean := float64(n1*n2) / 2
		sd := math.Sqrt(float64(n1*n2*(n1+n2+1)) / 12)
		z := (u - mean) / sd
		lo = 0.5 * math.Erfc(-z/math.Sqrt2)
		hi = 0.5 * math.Erfc(z/math.Sqrt2)
	}
	return min(1, 2*min(lo, hi))
}

// uCounts returns, for every U from 0 to n1·n2, how many of the C(n1+n2,
// n1) orderings of the two samples give it (no ties).
func uCounts(n1, n2 int) []float64 {
	// f[i][j][u]: orderings of i xs and j ys with U = u, where U counts
	// the pairs with the x before the y.
	f := make([][][]float64, n1+1)
	for i := range f {
		f[i] = make([][]float64, n2+1)
		for j := range f[i] {
			f[i][j] = make([]float64, i*j+1)
			switch {
			case i == 0 || j == 0:
				f[i][j][0] = 1
			default:
				for u := range f[i][j] {
					// The last element is a y (every x before it: +i
					// pairs) or an x (before no y).
					if u-i >= 0 && u-i < len(f[i][j-1]) {
						f[i][j][u] += f[i][j-1][u-i]
					}
					if u < len(f[i-1][j]) {
						f[i][j][u] += f[i-1][j][u]
					}
				}
			}
		}
	}
	return f[n1][n2]
}

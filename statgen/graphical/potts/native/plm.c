/* Compiled CPU kernels of plmc's pseudo-likelihood fit (statgen.graphical.potts.native), loaded by ctypes.
 *
 * Parameters: one flat vector x = (h, e) in plmc's order, the fields h_i(a) (L*q) then the coupling
 * blocks e_ij(a, b) of the pairs i < j in row order (q*q each; a the state of i, b of j). States st
 * are (L, M) uint8 in [0, q], q meaning an ignored gap (plmc's -g): it indexes a row of zeros, so it is
 * neither predicted nor felt. buf is the (L, block, QP) residual buffer, QP >= q the state axis padded
 * to whole SIMD vectors (lanes q.. stay 0). The value is
 *   f = -sum_m w_m sum_i log P(s_mi | s_m,-i) + lam_h sum ||h_i||^2 + lam_e sum_{i<j} ||e_ij||_F^2
 * and g receives its gradient. Per block of sequences pass 1 (parallel over sites) forms the fields,
 * their softmax and the residuals R_i(m, a) = w_m (P_i(a) - delta(a, s_mi)) in place; pass 2 (parallel
 * over rows, i and L-1-i together) accumulates the coupling gradients of the pairs i < j: each thread
 * writes its own rows, no locks. Also: the identity counts of plmc's sequence reweighting.
 */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define T float
#define SUF f32
#include "plm_body.h"
#undef T
#undef SUF

#define T double
#define SUF f64
#include "plm_body.h"
#undef T
#undef SUF

/* counts[m] = #{n : sum_t [s_mt == s_nt] >= need} for (M, L) uint8 states (the sequence itself included) */
void identity_counts_u8(const uint8_t *restrict s, long M, long L, long need, int64_t *restrict counts)
{
#pragma omp parallel for schedule(dynamic, 16)
    for (long m = 0; m < M; m++) {
        const uint8_t *a = s + m * L;
        int64_t c = 0;
        for (long n = 0; n < M; n++) {
            const uint8_t *b = s + n * L;
            long ident = 0;
#pragma omp simd reduction(+ : ident)
            for (long t = 0; t < L; t++) ident += a[t] == b[t];
            c += ident >= need;
        }
        counts[m] = c;
    }
}

void set_threads(int n) { omp_set_num_threads(n); }
int max_threads(void) { return omp_get_max_threads(); }
int abi_version(void) { return 1; }

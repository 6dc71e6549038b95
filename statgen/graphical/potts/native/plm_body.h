/* plmc's pseudo-likelihood value and gradient for one floating type. Included twice by plm.c with
 * T (float or double) and SUF (f32 or f64) defined; see plm.c for the layout. */

#define CAT_(a, b) a##_##b
#define CAT(a, b) CAT_(a, b)

/* T[b*QP + a] = e_ij(a, b) (b the state of j); rows q.. and lanes q.. stay 0 */
static void CAT(load_block, SUF)(const T *restrict x, int i, int j, int L, int q, int QP, T *restrict B)
{
    const long nh = (long)L * q, qq = (long)q * q;
    if (j < i) {
        const T *e = x + nh + ((long)j * L - (long)j * (j + 1) / 2 + i - j - 1) * qq; /* e_ji(b, a) */
        for (int b = 0; b < q; b++)
            for (int a = 0; a < q; a++) B[b * QP + a] = e[b * q + a];
    } else {
        const T *e = x + nh + ((long)i * L - (long)i * (i + 1) / 2 + j - i - 1) * qq;
        for (int a = 0; a < q; a++)
            for (int b = 0; b < q; b++) B[b * QP + a] = e[a * q + b];
    }
}

/* Pass 1 for site i: H (B x QP) <- residuals R_i of sequences m0..m0+B-1; returns sum_m w_m log P_i */
static double CAT(site, SUF)(int i, const T *restrict x, const uint8_t *restrict st, const T *restrict w, int L,
                             int q, int QP, long M, long m0, int nb, T *restrict H, T *restrict tmp, T *restrict g)
{
    const long blk = (long)(q + 1) * QP;
    for (int m = 0; m < nb; m++)
        for (int a = 0; a < QP; a++) H[(long)m * QP + a] = a < q ? x[(long)i * q + a] : (T)0;
    memset(tmp, 0, 4 * blk * sizeof(T));
    int js[4];
    int n = 0;
    for (int j = 0; j < L; j++) {
        if (j == i) continue;
        js[n++] = j;
        if (n < 4 && j + 1 + (j + 1 == i) < L) continue;
        /* four coupling blocks per sweep over the sequences; a short last group reads zero blocks */
        const uint8_t *s[4];
        for (int k = 0; k < 4; k++) {
            if (k < n) {
                CAT(load_block, SUF)(x, i, js[k], L, q, QP, tmp + k * blk);
                s[k] = st + (long)js[k] * M + m0;
            } else {
                memset(tmp + k * blk, 0, blk * sizeof(T));
                s[k] = st + (long)js[0] * M + m0;
            }
        }
        for (int m = 0; m < nb; m++) {
            const T *r0 = tmp + s[0][m] * QP, *r1 = tmp + blk + s[1][m] * QP;
            const T *r2 = tmp + 2 * blk + s[2][m] * QP, *r3 = tmp + 3 * blk + s[3][m] * QP;
            T *h = H + (long)m * QP;
#pragma omp simd
            for (int a = 0; a < QP; a++) h[a] += (r0[a] + r1[a]) + (r2[a] + r3[a]);
        }
        n = 0;
    }
    double acc = 0.0;
    const uint8_t *si_row = st + (long)i * M + m0;
    for (int m = 0; m < nb; m++) {
        T *h = H + (long)m * QP;
        const int si = si_row[m];
        if (si == q) { /* an ignored gap: neither predicted nor felt */
            for (int a = 0; a < QP; a++) h[a] = 0;
            continue;
        }
        double mx = h[0];
        for (int a = 1; a < q; a++) mx = h[a] > mx ? h[a] : mx;
        double z = 0.0;
        for (int a = 0; a < q; a++) {
            const double ea = exp((double)h[a] - mx);
            h[a] = (T)ea;
            z += ea;
        }
        const double wm = w[m0 + m];
        acc += wm * (log((double)h[si]) - log(z));
        const T c = (T)(wm / z);
        for (int a = 0; a < q; a++) h[a] *= c;
        h[si] -= (T)wm;
        for (int a = 0; a < q; a++) g[(long)i * q + a] += h[a];
    }
    return acc;
}

/* Pass 2 for row i: d f / d e_ij += sum_m R_i(m, .) (x) delta(s_mj) + delta(s_mi) (x) R_j(m, .), j > i */
static void CAT(row, SUF)(int i, const uint8_t *restrict st, int L, int q, int QP, long M, long m0, int nb, long block,
                          const T *restrict buf, T *restrict acc_j, T *restrict acc_i, T *restrict g)
{
    const long nh = (long)L * q, qq = (long)q * q, na = (long)(q + 1) * QP;
    const T *Ri = buf + (long)i * block * QP;
    const uint8_t *si = st + (long)i * M + m0;
    for (int j = i + 1; j < L; j++) {
        const T *Rj = buf + (long)j * block * QP;
        const uint8_t *sj = st + (long)j * M + m0;
        T *ge = g + nh + ((long)i * L - (long)i * (i + 1) / 2 + j - i - 1) * qq;
        memset(acc_j, 0, na * sizeof(T)); /* [b, a]: sum_m R_i(m, a) delta(s_mj = b); row q: ignored */
        memset(acc_i, 0, na * sizeof(T)); /* [a, b]: sum_m delta(s_mi = a) R_j(m, b) */
        for (int m = 0; m < nb; m++) {
            T *aj = acc_j + sj[m] * QP, *ai = acc_i + si[m] * QP;
            const T *ri = Ri + (long)m * QP, *rj = Rj + (long)m * QP;
#pragma omp simd
            for (int a = 0; a < QP; a++) aj[a] += ri[a];
#pragma omp simd
            for (int a = 0; a < QP; a++) ai[a] += rj[a];
        }
        for (int a = 0; a < q; a++)
            for (int c = 0; c < q; c++) ge[a * q + c] += acc_j[c * QP + a] + acc_i[a * QP + c];
    }
}

double CAT(plm_value_grad, SUF)(const T *restrict x, const uint8_t *restrict st, const T *restrict w, int L, int q,
                                long M, double lam_h, double lam_e, T *restrict g, T *restrict buf, long block, int QP)
{
    const long nh = (long)L * q, qq = (long)q * q, P = (long)L * (L - 1) / 2;
    double *ll = calloc((size_t)L, sizeof(double)), *pen = calloc((size_t)(L + P), sizeof(double));
    int failed = ll == NULL || pen == NULL;
#pragma omp parallel if (!failed)
    {
        T *tmp = malloc(4 * (size_t)(q + 1) * QP * sizeof(T));
        T *acc = malloc(2 * (size_t)(q + 1) * QP * sizeof(T));
        if (tmp == NULL || acc == NULL) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp barrier
        if (!failed) {
#pragma omp for schedule(static)
            for (long k = 0; k < L + P; k++) { /* penalties and their gradients */
                const long o = k < L ? k * q : nh + (k - L) * qq, len = k < L ? q : qq;
                const double lam = k < L ? lam_h : lam_e;
                double s = 0.0;
                for (long t = 0; t < len; t++) {
                    const double v = x[o + t];
                    g[o + t] = (T)(2.0 * lam * v);
                    s += v * v;
                }
                pen[k] = lam * s;
            }
            const long nrow = (L + 1) / 2;
            for (long m0 = 0; m0 < M; m0 += block) {
                const int nb = (int)(M - m0 < block ? M - m0 : block);
#pragma omp for schedule(static)
                for (int i = 0; i < L; i++)
                    ll[i] += CAT(site, SUF)(i, x, st, w, L, q, QP, M, m0, nb, buf + (long)i * block * QP, tmp, g);
#pragma omp for schedule(static)
                for (long r = 0; r < nrow; r++) { /* rows r and L - 1 - r together: balanced triangle */
                    CAT(row, SUF)((int)r, st, L, q, QP, M, m0, nb, block, buf, acc, acc + (long)(q + 1) * QP, g);
                    if (L - 1 - r != r)
                        CAT(row, SUF)((int)(L - 1 - r), st, L, q, QP, M, m0, nb, block, buf, acc,
                                      acc + (long)(q + 1) * QP, g);
                }
            }
        }
        free(tmp);
        free(acc);
    }
    double f = 0.0;
    if (!failed) {
        for (long k = 0; k < L + P; k++) f += pen[k];
        for (int i = 0; i < L; i++) f -= ll[i];
    }
    free(ll);
    free(pen);
    return failed ? NAN : f;
}

/* sum_t a_t b_t accumulated in double, in 64 fixed chunks: the same bits whatever the thread count */
double CAT(plm_dot, SUF)(const T *restrict a, const T *restrict b, long n)
{
    double part[64];
    const long step = (n + 63) / 64;
#pragma omp parallel for schedule(static)
    for (int c = 0; c < 64; c++) {
        const long lo = c * step < n ? c * step : n, hi = lo + step < n ? lo + step : n;
        double s = 0.0;
#pragma omp simd reduction(+ : s)
        for (long t = lo; t < hi; t++) s += (double)a[t] * (double)b[t];
        part[c] = s;
    }
    double s = 0.0;
    for (int c = 0; c < 64; c++) s += part[c];
    return s;
}

/* out[r] = sum_t v_t u_r[t] for k <= 64 vectors u_r, in plm_dot's 64 chunks (the same bits as k calls of
 * it): one pass over v, each chunk of v read from the cache k times */
void CAT(plm_dots, SUF)(const T *restrict v, const T *const *us, int k, long n, double *restrict out)
{
    double part[64 * 64];
    const long step = (n + 63) / 64;
#pragma omp parallel for schedule(static)
    for (int c = 0; c < 64; c++) {
        const long lo = c * step < n ? c * step : n, hi = lo + step < n ? lo + step : n;
        for (int r = 0; r < k; r++) {
            const T *restrict u = us[r];
            double s = 0.0;
#pragma omp simd reduction(+ : s)
            for (long t = lo; t < hi; t++) s += (double)v[t] * (double)u[t];
            part[c * 64 + r] = s;
        }
    }
    for (int r = 0; r < k; r++) {
        double s = 0.0;
        for (int c = 0; c < 64; c++) s += part[c * 64 + r];
        out[r] = s;
    }
}

/* d <- sum_r c_r v_r over k vectors (d may be one of them): one pass over each, d written once */
void CAT(plm_combine, SUF)(T *d, const T *const *vs, const double *restrict c, int k, long n)
{
    const long nblk = (n + 2047) / 2048;
#pragma omp parallel for schedule(static)
    for (long b = 0; b < nblk; b++) {
        const long lo = b * 2048, hi = lo + 2048 < n ? lo + 2048 : n;
        T acc[2048];
        for (long t = lo; t < hi; t++) acc[t - lo] = (T)0;
        for (int r = 0; r < k; r++) {
            const T *restrict v = vs[r] + lo;
            const T cr = (T)c[r];
#pragma omp simd
            for (long t = 0; t < hi - lo; t++) acc[t] += cr * v[t];
        }
        for (long t = lo; t < hi; t++) d[t] = acc[t - lo];
    }
}

/* y <- y + alpha x */
void CAT(plm_axpy, SUF)(T *restrict y, double alpha, const T *restrict x, long n)
{
    const T al = (T)alpha;
#pragma omp parallel for simd schedule(static)
    for (long t = 0; t < n; t++) y[t] += al * x[t];
}

#undef CAT
#undef CAT_

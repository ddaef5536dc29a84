/* The C baseline of bench/core.py: Adam on Rosenbrock (a = 1, b = 100) for N starts,
   the same work per particle-step as optim_core.run(..., record="final"): gradient,
   Adam update, divergence box check (frozen afterwards), convergence check.
   Usage: adam_rosenbrock N STEPS [STARTS]; STARTS is a file of N x 2 float64 start points
   (the ones the NumPy run uses), else starts spread over the domain. Prints the seconds
   the loop took. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 10000, steps = argc > 2 ? atoi(argv[2]) : 200;
    double lr = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-8;
    double *w = malloc(sizeof(double) * 2 * n), *m = calloc(2 * n, sizeof(double));
    double *v = calloc(2 * n, sizeof(double));
    long *conv = malloc(sizeof(long) * n), *div = malloc(sizeof(long) * n);
    unsigned s = 12345;
    for (int i = 0; i < n; i++) {  /* starts spread over the domain [-2, 2] x [-1, 3] */
        s = s * 1103515245u + 12345u; w[2 * i] = -2.0 + 4.0 * (s % 10000) / 10000.0;
        s = s * 1103515245u + 12345u; w[2 * i + 1] = -1.0 + 4.0 * (s % 10000) / 10000.0;
        conv[i] = div[i] = -1;
    }
    if (argc > 3) {
        FILE *f = fopen(argv[3], "rb");
        if (!f || fread(w, sizeof(double), 2 * (size_t)n, f) != 2 * (size_t)n) return 1;
        fclose(f);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    double p1 = 1, p2 = 1;
    for (int t = 1; t <= steps; t++) {
        p1 *= b1; p2 *= b2;
        double c1 = 1 - p1, c2 = 1 - p2;
        for (int i = 0; i < n; i++) {
            if (div[i] >= 0) continue;
            double x = w[2 * i], y = w[2 * i + 1], valley = y - x * x;
            double g[2] = {-2 * (1 - x) - 400 * x * valley, 200 * valley};
            double nw[2], nm[2], nv[2];
            for (int k = 0; k < 2; k++) {
                nm[k] = b1 * m[2 * i + k] + (1 - b1) * g[k];
                nv[k] = b2 * v[2 * i + k] + (1 - b2) * g[k] * g[k];
                nw[k] = w[2 * i + k] - lr * (nm[k] / c1) / (sqrt(nv[k] / c2) + eps);
            }
            /* the divergence box: 10 x the domain about its centre */
            if (!(fabs(nw[0] - 0.0) <= 20.0 && fabs(nw[1] - 1.0) <= 20.0)) { div[i] = t; continue; }
            for (int k = 0; k < 2; k++) { w[2 * i + k] = nw[k]; m[2 * i + k] = nm[k]; v[2 * i + k] = nv[k]; }
            double dx = nw[0] - 1, dy = nw[1] - 1;
            if (conv[i] < 0 && dx * dx + dy * dy <= 1e-4) {
                double vy = nw[1] - nw[0] * nw[0];
                double gx = -2 * (1 - nw[0]) - 400 * nw[0] * vy, gy = 200 * vy;
                if (sqrt(gx * gx + gy * gy) <= 1e-2) conv[i] = t;
            }
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double sum = 0;
    for (int i = 0; i < 2 * n; i++) sum += w[i];
    printf("%.6f %.17g\n", (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec), sum);
    return 0;
}

package studio.captioner.check;

import java.util.Arrays;

/**
 * Minimum-cost one-to-one assignment of rows to columns (the Hungarian method, O(n³), shortest
 * augmenting paths with potentials), the role {@code scipy.optimize.linear_sum_assignment} plays in
 * PancapScore's entity matching (EVAL.md §4.2 step 2). Rectangular matrices are padded with zeros.
 */
public final class Hungarian {
    private Hungarian() {}

    /** {@code result[row]} = assigned column, or -1 when the row got a padding column. */
    public static int[] solve(double[][] cost) {
        int rows = cost.length;
        int cols = rows == 0 ? 0 : cost[0].length;
        int n = Math.max(rows, cols);
        double[] u = new double[n + 1];
        double[] v = new double[n + 1];
        int[] p = new int[n + 1];
        int[] way = new int[n + 1];
        for (int i = 1; i <= n; i++) {
            p[0] = i;
            int j0 = 0;
            double[] minv = new double[n + 1];
            Arrays.fill(minv, Double.POSITIVE_INFINITY);
            boolean[] used = new boolean[n + 1];
            do {
                used[j0] = true;
                int i0 = p[j0];
                double delta = Double.POSITIVE_INFINITY;
                int j1 = 0;
                for (int j = 1; j <= n; j++) {
                    if (!used[j]) {
                        double c = at(cost, i0 - 1, j - 1, rows, cols) - u[i0] - v[j];
                        if (c < minv[j]) {
                            minv[j] = c;
                            way[j] = j0;
                        }
                        if (minv[j] < delta) {
                            delta = minv[j];
                            j1 = j;
                        }
                    }
                }
                for (int j = 0; j <= n; j++) {
                    if (used[j]) {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            } while (p[j0] != 0);
            do {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        int[] result = new int[rows];
        Arrays.fill(result, -1);
        for (int j = 1; j <= n; j++) {
            if (p[j] >= 1 && p[j] <= rows && j <= cols) {
                result[p[j] - 1] = j - 1;
            }
        }
        return result;
    }

    private static double at(double[][] cost, int i, int j, int rows, int cols) {
        return i < rows && j < cols ? cost[i][j] : 0;
    }
}

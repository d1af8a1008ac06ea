package studio.eval.features;

/**
 * {@code torch.nn.functional.interpolate} on CPU, {@code align_corners=False}, no antialias, transcribed from
 * ATen's {@code UpSample.h} ({@code area_pixel_compute_scale}, {@code area_pixel_compute_source_index},
 * {@code get_cubic_upsample_coefficients}) and {@code UpSampleKernel.cpp} ({@code HelperInterpLinear},
 * {@code HelperInterpCubic}): the weights of each output row and column are computed once in float32 and the
 * 2-D value is {@code Σ_i w_h[i] · Σ_j w_w[j] · x[h_i, w_j]}, height outermost, as ATen's separable
 * {@code Interpolate} evaluates it. Used for pytorch-fid's resize of the network input and DINOv2's
 * position-embedding grid; no antialias means a downscale only samples (pytorch-fid's known aliasing).
 */
public final class TorchResize {
    private TorchResize() {}

    /** Source indices and weights along one axis: {@code taps} per output position. */
    record Axis(int taps, int[] index, float[] weight) {}

    /**
     * {@code area_pixel_compute_scale}: {@code 1 / scale_factor} when a scale factor was given (as F.interpolate
     * passes it through when {@code recompute_scale_factor} is unset), else {@code in / out}; in float.
     */
    static float scale(int in, int out, double scaleFactor) {
        return scaleFactor > 0 ? (float) (1.0 / scaleFactor) : (float) in / out;
    }

    /**
     * {@code HelperInterpLinear::compute_indices_weights}: the scale in float, but the source index
     * {@code scale · (i + 0.5) − 0.5} and the weight {@code λ1} in the CPU accumulate type, double
     * ({@code compute_source_index_and_lambda} with {@code acc_type<float, false>}); the weights are then stored as
     * float. (Computing the index in float instead is up to 1.4e-6 off torch 1.13 on [0, 1] images.)
     */
    static Axis linearAxis(int in, int out, double scaleFactor) {
        float scale = scale(in, out, scaleFactor);
        int[] index = new int[out * 2];
        float[] weight = new float[out * 2];
        for (int i = 0; i < out; i++) {
            double real = (double) scale * (i + 0.5) - 0.5;
            if (real < 0) {
                real = 0;
            }
            int i0 = Math.min((int) real, in - 1);
            int i1 = i0 + (i0 < in - 1 ? 1 : 0);
            double lambda1 = Math.min(Math.max(real - i0, 0.0), 1.0);
            index[2 * i] = i0;
            index[2 * i + 1] = i1;
            weight[2 * i] = (float) (1.0 - lambda1);
            weight[2 * i + 1] = (float) lambda1;
        }
        return new Axis(2, index, weight);
    }

    /**
     * {@code HelperInterpCubic::compute_indices_weights}: A = −0.75, indices clamped to the border. As for the
     * linear weights the source index is computed in double from the float scale and {@code t} stored as float;
     * the polynomials are evaluated in float, contracted into fused multiply-adds as ATen's AVX2 build does. That
     * matters for {@code cubic_convolution2}, which cancels from ~3 to ~0.1: with separate roundings a weight moves
     * by up to 1e-6 (each variant measured against torch 1.13's weights on impulses; this one is within 1 ulp).
     */
    static Axis cubicAxis(int in, int out, double scaleFactor) {
        float scale = scale(in, out, scaleFactor);
        int[] index = new int[out * 4];
        float[] weight = new float[out * 4];
        final float a = -0.75f;
        for (int i = 0; i < out; i++) {
            double real = (double) scale * (i + 0.5) - 0.5;
            int i0 = (int) Math.floor(real);
            float t = (float) (real - i0);
            float x2 = 1.0f - t;
            weight[4 * i] = cubic2(t + 1.0f, a);
            weight[4 * i + 1] = cubic1(t, a);
            weight[4 * i + 2] = cubic1(x2, a);
            weight[4 * i + 3] = cubic2(x2 + 1.0f, a);
            for (int j = 0; j < 4; j++) {
                index[4 * i + j] = Math.max(Math.min(i0 - 1 + j, in - 1), 0);
            }
        }
        return new Axis(4, index, weight);
    }

    /** {@code cubic_convolution1}, ((A + 2)·x − (A + 3))·x·x + 1, for |x| ≤ 1. */
    private static float cubic1(float x, float a) {
        return Math.fma(Math.fma(a + 2, x, -(a + 3)) * x, x, 1f);
    }

    /** {@code cubic_convolution2}, ((A·x − 5A)·x + 8A)·x − 4A, for 1 < |x| < 2. */
    private static float cubic2(float x, float a) {
        return Math.fma(Math.fma(Math.fma(a, x, -5 * a), x, 8 * a), x, -4 * a);
    }

    /** {@code F.interpolate(x, size=(height, width), mode="bilinear", align_corners=False)}. */
    public static Planes bilinear(Planes in, int width, int height) {
        return apply(in, linearAxis(in.height(), height, 0), linearAxis(in.width(), width, 0), height, width);
    }

    /**
     * {@code F.interpolate(x, mode="bicubic", align_corners=False, scale_factor=(sh, sw))} with the given output
     * size ({@code floor(in · scale)}, which the caller computes); {@code sh}, {@code sw} ≤ 0 mean "size given".
     */
    public static Planes bicubic(Planes in, int width, int height, double scaleFactorH, double scaleFactorW) {
        return apply(in, cubicAxis(in.height(), height, scaleFactorH), cubicAxis(in.width(), width, scaleFactorW),
                height, width);
    }

    private static Planes apply(Planes in, Axis rows, Axis cols, int height, int width) {
        int inH = in.height();
        int inW = in.width();
        float[] src = in.data();
        float[] out = new float[in.channels() * height * width];
        for (int c = 0; c < in.channels(); c++) {
            int plane = c * inH * inW;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    float acc = 0;
                    for (int i = 0; i < rows.taps(); i++) {
                        int row = plane + rows.index()[y * rows.taps() + i] * inW;
                        float inner = 0;
                        for (int j = 0; j < cols.taps(); j++) {
                            float t = src[row + cols.index()[x * cols.taps() + j]] * cols.weight()[x * cols.taps() + j];
                            inner = j == 0 ? t : inner + t;
                        }
                        float t = inner * rows.weight()[y * rows.taps() + i];
                        acc = i == 0 ? t : acc + t;
                    }
                    out[(c * height + y) * width + x] = acc;
                }
            }
        }
        return new Planes(in.channels(), height, width, out);
    }
}

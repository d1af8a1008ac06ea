package studio.eval.geneval;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * COCO run-length masks as pycocotools writes them ({@code {"size": [h, w], "counts": ...}}): runs
 * alternate 0s and 1s starting with 0s, over the pixels in column-major (Fortran) order; {@code counts}
 * is either a list of run lengths or pycocotools' compressed string ({@code rleFrString} in
 * {@code maskApi.c}: 5 bits per character offset by 48, a continuation bit 0x20, sign bit 0x10 on the
 * last character, and each run after the second stored as a difference to the run two before).
 */
public final class RleMasks {
    private RleMasks() {}

    /** Decodes run lengths; throws IllegalArgumentException when they do not cover {@code h×w} exactly. */
    public static Mask decode(int height, int width, long[] runs) {
        long total = (long) height * width;
        BitSet inside = new BitSet((int) Math.min(total, Integer.MAX_VALUE));
        long position = 0;
        for (int i = 0; i < runs.length; i++) {
            if (runs[i] < 0) {
                throw new IllegalArgumentException("run " + i + " is negative (" + runs[i] + ")");
            }
            if (position + runs[i] > total) {
                throw new IllegalArgumentException("runs cover more than " + height + "x" + width + " pixels");
            }
            if (i % 2 == 1) {
                for (long p = position; p < position + runs[i]; p++) {
                    int x = (int) (p / height);
                    int y = (int) (p % height);
                    inside.set(y * width + x);
                }
            }
            position += runs[i];
        }
        if (position != total) {
            throw new IllegalArgumentException("runs cover " + position + " pixels, expected " + height + "x" + width);
        }
        return new Mask(width, height, inside);
    }

    /** pycocotools' compressed counts string to run lengths. */
    public static long[] runsFromString(String counts) {
        List<Long> runs = new ArrayList<>();
        int p = 0;
        while (p < counts.length()) {
            long x = 0;
            int k = 0;
            boolean more = true;
            while (more) {
                if (p >= counts.length()) {
                    throw new IllegalArgumentException("compressed counts end inside a number");
                }
                int c = counts.charAt(p) - 48;
                if (c < 0 || c > 63) {
                    throw new IllegalArgumentException("character '" + counts.charAt(p) + "' is not in the RLE alphabet");
                }
                x |= (long) (c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (k > 12) {
                    throw new IllegalArgumentException("compressed count too long");
                }
                if (!more && (c & 0x10) != 0) {
                    x |= -1L << (5 * k);
                }
            }
            if (runs.size() > 2) {
                x += runs.get(runs.size() - 2);
            }
            runs.add(x);
        }
        return runs.stream().mapToLong(Long::longValue).toArray();
    }

    /** The inverse of {@link #runsFromString} ({@code rleToString}); used by tests and tools. */
    public static String runsToString(long[] runs) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < runs.length; i++) {
            long x = runs[i];
            if (i > 2) {
                x -= runs[i - 2];
            }
            boolean more = true;
            while (more) {
                long c = x & 0x1f;
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) {
                    c |= 0x20;
                }
                out.append((char) (c + 48));
            }
        }
        return out.toString();
    }
}

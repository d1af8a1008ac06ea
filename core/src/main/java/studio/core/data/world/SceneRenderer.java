package studio.core.data.world;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import studio.core.image.RgbImage;
import studio.core.data.panoptic.IdMask;
import studio.core.data.panoptic.MaskGeometry;

/**
 * Draws a {@link Scene} at a given size with analytic anti-aliasing (WORLD.md "Canvas"): colours blend
 * by the coverage a signed distance gives, ownership (the panoptic mask) goes to whatever covers the
 * pixel centre, topmost thing first. Only IEEE-exact operations and {@link StrictMath} are used, so
 * the bytes are the same on every machine.
 */
final class SceneRenderer {
    /** A highlight from the top left: the shading factor runs over 1 ± this. */
    private static final double SHADING = 0.08;
    /** Owner codes: stuff region r is r, thing t is THING_BASE + t. */
    private static final int THING_BASE = 1 << 16;

    private final Scene scene;
    private final int size;
    private final double[] colour;
    private final int[] owner;
    private final long[] fullArea;
    private final List<TreeSet<Integer>> covers = new ArrayList<>();

    private SceneRenderer(Scene scene, int size) {
        this.scene = scene;
        this.size = size;
        this.colour = new double[size * size * 3];
        this.owner = new int[size * size];
        this.fullArea = new long[scene.things().size()];
        scene.things().forEach(t -> covers.add(new TreeSet<>()));
    }

    static RenderedScene render(Scene scene, int size) {
        SceneRenderer r = new SceneRenderer(scene, size);
        r.drawStuff();
        for (int t = 0; t < scene.things().size(); t++) {
            r.drawThing(t);
        }
        return r.finish();
    }

    private void drawStuff() {
        List<Scene.StuffRegion> regions = scene.stuff();
        for (int y = 0; y < size; y++) {
            double centre = y + 0.5;
            int region = 0;
            while (region < regions.size() - 1 && centre >= regions.get(region).bottom() * size) {
                region++;
            }
            for (int x = 0; x < size; x++) {
                int p = y * size + x;
                owner[p] = region;
                double[] own = stuffColour(region, x, y);
                double[] mixed = own;
                if (region > 0 && centre - regions.get(region).top() * size < 0.5) {
                    double coverage = 0.5 + (centre - regions.get(region).top() * size);
                    mixed = blend(stuffColour(region - 1, x, y), own, coverage);
                } else if (region < regions.size() - 1 && regions.get(region).bottom() * size - centre < 0.5) {
                    double coverage = 0.5 + (regions.get(region).bottom() * size - centre);
                    mixed = blend(stuffColour(region + 1, x, y), own, coverage);
                }
                System.arraycopy(mixed, 0, colour, 3 * p, 3);
            }
        }
    }

    private double[] stuffColour(int regionIndex, int x, int y) {
        Scene.StuffRegion region = scene.stuff().get(regionIndex);
        double u = (x + 0.5) / size;
        double v = (y + 0.5) / size;
        double factor = region.kind().texture(u, v, region.phase1(), region.phase2());
        double[] c = new double[3];
        for (int k = 0; k < 3; k++) {
            c[k] = region.rgb()[k] * factor;
        }
        if (region.kind() == StuffKind.SKY) {
            // Paler towards the horizon (StuffKind.SKY's texture clause).
            double depth = Math.max(0, Math.min(1, (v - region.top()) / (region.bottom() - region.top())));
            for (int k = 0; k < 3; k++) {
                c[k] += (255 - c[k]) * 0.3 * depth;
            }
        }
        return c;
    }

    private static double[] blend(double[] under, double[] over, double coverage) {
        double[] c = new double[3];
        for (int k = 0; k < 3; k++) {
            c[k] = under[k] * (1 - coverage) + over[k] * coverage;
        }
        return c;
    }

    private void drawThing(int index) {
        Scene.Thing t = scene.things().get(index);
        double cx = t.cx() * size;
        double cy = t.cy() * size;
        double r = t.radius() * size;
        int x0 = Math.max(0, (int) Math.floor(cx - r - 1));
        int x1 = Math.min(size - 1, (int) Math.ceil(cx + r + 1));
        int y0 = Math.max(0, (int) Math.floor(cy - r - 1));
        int y1 = Math.min(size - 1, (int) Math.ceil(cy + r + 1));
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                double dx = x + 0.5 - cx;
                double dy = y + 0.5 - cy;
                double d = Shapes.distance(t.shape(), dx, dy, r);
                double coverage = Math.max(0, Math.min(1, 0.5 - d));
                if (coverage <= 0) {
                    continue;
                }
                int p = y * size + x;
                double shade = 1 - SHADING * Math.max(-1, Math.min(1, (dx + dy) / (2 * r)));
                for (int k = 0; k < 3; k++) {
                    double own = Math.min(255, t.rgb()[k] * shade);
                    colour[3 * p + k] = colour[3 * p + k] * (1 - coverage) + own * coverage;
                }
                if (d < 0) {
                    if (owner[p] >= THING_BASE) {
                        covers.get(index).add(owner[p] - THING_BASE);
                    }
                    owner[p] = THING_BASE + index;
                    fullArea[index]++;
                }
            }
        }
    }

    private RenderedScene finish() {
        int things = scene.things().size();
        int stuff = scene.stuff().size();
        long[] count = new long[stuff + things];
        for (int o : owner) {
            count[slot(o)]++;
        }
        int[] idOfSlot = new int[stuff + things];
        int next = 1;
        for (int s = 0; s < stuff + things; s++) {
            idOfSlot[s] = count[s] > 0 ? next++ : 0;
        }
        int[] ids = new int[owner.length];
        for (int p = 0; p < owner.length; p++) {
            ids[p] = idOfSlot[slot(owner[p])];
        }
        IdMask mask = new IdMask(size, size, ids);
        List<MaskGeometry> geometry = mask.geometry();
        List<RenderedScene.Segment> segments = new ArrayList<>();
        for (int s = 0; s < stuff + things; s++) {
            if (idOfSlot[s] == 0) {
                continue;
            }
            boolean thing = s >= stuff;
            int sceneIndex = thing ? s - stuff : s;
            List<Integer> covered = new ArrayList<>();
            if (thing) {
                covers.get(sceneIndex).forEach(t -> { if (idOfSlot[stuff + t] > 0) covered.add(idOfSlot[stuff + t]); });
            }
            segments.add(new RenderedScene.Segment(idOfSlot[s], thing, sceneIndex, geometry.get(idOfSlot[s] - 1),
                    thing ? fullArea[sceneIndex] : count[s], covered));
        }
        return new RenderedScene(scene, size, new RgbImage(size, size, lit()), mask, segments);
    }

    private int slot(int ownerCode) {
        return ownerCode >= THING_BASE ? scene.stuff().size() + ownerCode - THING_BASE : ownerCode;
    }

    private byte[] lit() {
        byte[] rgb = new byte[colour.length];
        for (int i = 0; i < colour.length; i++) {
            rgb[i] = (byte) (int) Math.floor(scene.lighting().apply(i % 3, colour[i]) + 0.5);
        }
        return rgb;
    }
}

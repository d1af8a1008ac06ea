package studio.core.data.world;

import java.util.ArrayList;
import java.util.List;

/** Draws a {@link Scene} for (seed, index) as WORLD.md "Content" describes. */
final class SceneSampler {
    /** A thing that repeats an earlier thing's class and colour, so counted groups occur (WORLD.md "Captions"). */
    private static final double REPEAT_CHANCE = 0.3;
    private static final int PLACEMENT_TRIES = 12;

    private final WorldRandom random;

    private SceneSampler(WorldRandom random) {
        this.random = random;
    }

    static Scene sample(long seed, long index) {
        return new SceneSampler(WorldRandom.of(seed, index, 1)).scene();
    }

    private Scene scene() {
        Lighting lighting = random.pick(Lighting.values());
        List<Scene.StuffRegion> stuff = layout();
        int count = random.pick(1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 6);
        List<Scene.Thing> things = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            things.add(thing(things));
        }
        return new Scene(lighting, stuff, things);
    }

    /** 1–3 regions: a horizon at a random height, sometimes a band, sometimes a single region. */
    private List<Scene.StuffRegion> layout() {
        int kind = random.nextInt(10);
        if (kind < 4) {
            double horizon = random.uniform(0.3, 0.65);
            return List.of(region(StuffKind.SKY, 0, horizon),
                    region(random.pick(StuffKind.SEA, StuffKind.GRASS, StuffKind.SAND), horizon, 1));
        }
        if (kind < 6) {
            double first = random.uniform(0.25, 0.45);
            double second = first + random.uniform(0.15, 0.3);
            boolean beach = random.nextBoolean();
            return List.of(region(StuffKind.SKY, 0, first),
                    region(beach ? StuffKind.SEA : StuffKind.GRASS, first, second),
                    region(StuffKind.SAND, second, 1));
        }
        if (kind < 9) {
            double floorLine = random.uniform(0.45, 0.75);
            return List.of(region(StuffKind.WALL, 0, floorLine), region(StuffKind.FLOOR, floorLine, 1));
        }
        return List.of(region(random.pick(StuffKind.GRASS, StuffKind.SAND, StuffKind.WALL, StuffKind.SEA), 0, 1));
    }

    private Scene.StuffRegion region(StuffKind kind, double top, double bottom) {
        int[] low = kind.low();
        int[] high = kind.high();
        double t = random.nextDouble();
        int[] rgb = new int[3];
        for (int c = 0; c < 3; c++) {
            rgb[c] = (int) Math.round(low[c] + t * (high[c] - low[c]) + random.uniform(-6, 6));
        }
        return new Scene.StuffRegion(kind, top, bottom, rgb, random.nextDouble(), random.nextDouble() * 2 * Math.PI,
                random.pick(kind.attributes()));
    }

    private Scene.Thing thing(List<Scene.Thing> earlier) {
        ShapeClass shape = random.pick(ShapeClass.values());
        WorldColour colour = random.pick(WorldColour.values());
        ThingSize size = random.pick(ThingSize.values());
        if (!earlier.isEmpty() && random.chance(REPEAT_CHANCE)) {
            Scene.Thing model = random.pick(earlier);
            shape = model.shape();
            colour = model.colour();
            size = random.chance(0.7) ? model.size() : size;
        }
        double radius = random.uniform(size.minRadius(), size.maxRadius());
        double[] centre = place(radius, earlier);
        int[] anchor = colour.anchor();
        int[] rgb = new int[3];
        for (int c = 0; c < 3; c++) {
            rgb[c] = Math.max(0, Math.min(255, anchor[c] + random.between(-12, 12)));
        }
        return new Scene.Thing(shape, colour, size, centre[0], centre[1], radius, rgb);
    }

    /** Anywhere inside the canvas; retries keep centres apart so overlaps stay partial (full hiding is rare). */
    private double[] place(double radius, List<Scene.Thing> earlier) {
        double[] best = null;
        for (int attempt = 0; attempt < PLACEMENT_TRIES; attempt++) {
            double[] c = {random.uniform(radius, 1 - radius), random.uniform(radius, 1 - radius)};
            best = c;
            boolean apart = true;
            for (Scene.Thing t : earlier) {
                if (Math.sqrt((c[0] - t.cx()) * (c[0] - t.cx()) + (c[1] - t.cy()) * (c[1] - t.cy())) < 0.7 * (radius + t.radius())) {
                    apart = false;
                    break;
                }
            }
            if (apart) {
                break;
            }
        }
        return best;
    }
}

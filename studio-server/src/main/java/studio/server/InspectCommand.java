package studio.server;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import studio.core.BadInputException;
import studio.core.safetensors.DType;
import studio.core.safetensors.Printable;
import studio.core.safetensors.SafeTensors;
import studio.core.safetensors.TensorInfo;

/**
 * {@code studio inspect FILE.safetensors|DIR}: lists a checkpoint's tensors, totals and metadata
 * from the headers alone (no tensor data is read). A diffusers model root (a folder with
 * {@code model_index.json}, or whose subfolders hold the weights) is listed component by component.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "List the tensors, sizes and metadata of a .safetensors file, sharded index or model folder.")
public final class InspectCommand implements Callable<Integer> {
    /** Metadata values (often whole JSON configs) are cut to about this many characters. */
    private static final int METADATA_VALUE_CHARS = 200;

    @Parameters(paramLabel = "FILE|DIR", description = "A .safetensors file, a *.safetensors.index.json, or a folder.")
    Path path;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.exists(path)) {
            throw new BadInputException(path.toString(), "no such file or directory");
        }
        try {
            if (Files.isDirectory(path) && isModelRoot(path)) {
                inspectModelRoot(out);
            } else {
                inspect(path, out);
            }
        } catch (AccessDeniedException e) {
            throw new BadInputException(e.getFile(), "permission denied", e);
        }
        out.flush();
        return Main.EXIT_OK;
    }

    /** Totals of one listing, added up across the components of a model root. */
    private record Totals(int tensors, long bytes) {}

    private Totals inspect(Path target, PrintWriter out) throws IOException {
        try (SafeTensors st = SafeTensors.open(target)) {
            List<TensorInfo> tensors = st.tensors();
            int nameWidth = tensors.stream().mapToInt(t -> printableName(t).length()).max().orElse(0);
            long bytes = 0;
            Map<DType, Long> params = new EnumMap<>(DType.class);
            for (TensorInfo t : tensors) {
                out.printf(Locale.ROOT, "%-" + Math.max(nameWidth, 1) + "s  %-5s  %s  %d%n",
                        printableName(t), t.dtype(), t.shapeText(), t.byteLength());
                bytes += t.byteLength();
                params.merge(t.dtype(), t.numel(), Long::sum);
            }
            out.printf(Locale.ROOT, "tensors: %d%n", tensors.size());
            out.printf(Locale.ROOT, "total: %s (%d bytes)%n", humanBytes(bytes), bytes);
            out.println("params: " + paramsText(params));
            printMetadata(st.metadata(), out);
            return new Totals(tensors.size(), bytes);
        }
    }

    private static String printableName(TensorInfo t) {
        return Printable.of(t.name(), 300);
    }

    private static String paramsText(Map<DType, Long> params) {
        if (params.isEmpty()) {
            return "none";
        }
        long total = params.values().stream().mapToLong(Long::longValue).sum();
        String perDtype = params.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
        return perDtype + " (total " + total + ")";
    }

    private static void printMetadata(Map<String, String> metadata, PrintWriter out) {
        if (metadata.isEmpty()) {
            return;
        }
        out.println("metadata:");
        metadata.forEach((key, value) -> out.println("  " + Printable.of(key, METADATA_VALUE_CHARS) + "="
                + Printable.of(value, METADATA_VALUE_CHARS)));
    }

    /** 1536 → "1.50 KiB"; below 1 KiB the exact count. */
    static String humanBytes(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.2f %s", value, units[unit]);
    }

    /**
     * A diffusers root keeps its weights in component folders (transformer/, vae/, text_encoder/...)
     * beside {@code model_index.json}; a folder with weights of its own is a single checkpoint.
     */
    private static boolean isModelRoot(Path dir) throws IOException {
        if (Files.exists(dir.resolve("model_index.json"))) {
            return true;
        }
        return checkpointsIn(dir).isEmpty() && !componentFolders(dir).isEmpty();
    }

    private void inspectModelRoot(PrintWriter out) throws IOException {
        List<Path> targets = new ArrayList<>(checkpointsIn(path));
        for (Path component : componentFolders(path)) {
            targets.addAll(checkpointsIn(component));
        }
        if (targets.isEmpty()) {
            throw new BadInputException(path.toString(), "no .safetensors files in this model folder or its components");
        }
        int tensors = 0;
        long bytes = 0;
        for (Path target : targets) {
            out.println("== " + path.relativize(target) + " ==");
            Totals totals = inspect(target, out);
            tensors += totals.tensors();
            bytes += totals.bytes();
            out.println();
        }
        out.printf(Locale.ROOT, "model: %d files, %d tensors, %s (%d bytes)%n",
                targets.size(), tensors, humanBytes(bytes), bytes);
    }

    /** What to list in a component folder: each index (its shards are listed through it), else each file. */
    private static List<Path> checkpointsIn(Path dir) throws IOException {
        List<Path> indexes = SafeTensors.listEndingWith(dir, ".safetensors.index.json");
        return indexes.isEmpty() ? SafeTensors.listEndingWith(dir, ".safetensors") : indexes;
    }

    private static List<Path> componentFolders(Path dir) throws IOException {
        List<Path> components = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path sub : entries.filter(Files::isDirectory).sorted().collect(Collectors.toList())) {
                if (!checkpointsIn(sub).isEmpty()) {
                    components.add(sub);
                }
            }
        }
        return components;
    }
}

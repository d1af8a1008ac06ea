package studio.eval.clipscore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import studio.core.BadInputException;
import studio.eval.features.ImageFolder;
import studio.eval.geneval.Layout;

/** Image–caption pairs to score, from the three sources {@code studio eval clipscore} reads. */
public final class CaptionedImages {
    /** One pair; {@code id} is the image's path relative to its folder. */
    public record Item(String id, Path image, String caption) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> IMAGE_KEYS = Set.of("image", "file_name");
    private static final Set<String> CAPTION_KEYS = Set.of("caption", "text");

    private CaptionedImages() {}

    /**
     * JSON lines {@code {"image": "a/b.png", "caption": "..."}} ({@code file_name} / {@code text}, the Hugging Face
     * imagefolder {@code metadata.jsonl} names, are read too); paths relative to {@code images}. Other keys are refused.
     */
    public static List<Item> fromJsonl(Path file, Path images) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("--captions " + file, "no such file");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String where = file + ":" + (i + 1);
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new BadInputException(where, "not JSON: " + e.getOriginalMessage());
            }
            if (n == null || !n.isObject()) {
                throw new BadInputException(where, "expected a JSON object");
            }
            String image = null;
            String caption = null;
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (IMAGE_KEYS.contains(key)) {
                    image = text(n, key, where, image);
                } else if (CAPTION_KEYS.contains(key)) {
                    caption = text(n, key, where, caption);
                } else {
                    throw new BadInputException(where + ": " + key, "unknown key (expected image and caption)");
                }
            }
            if (image == null || caption == null) {
                throw new BadInputException(where, "needs \"image\" and \"caption\"");
            }
            Path path = images.resolve(image).normalize();
            if (!path.startsWith(images.normalize())) {
                throw new BadInputException(where + ": image", "'" + image + "' is outside " + images);
            }
            if (!Files.isRegularFile(path)) {
                throw new BadInputException(where + ": image", "no such image " + path);
            }
            items.add(new Item(image, path, caption));
        }
        if (items.isEmpty()) {
            throw new BadInputException("--captions " + file, "no caption lines");
        }
        return items;
    }

    private static String text(JsonNode n, String key, String where, String previous) {
        if (previous != null) {
            throw new BadInputException(where + ": " + key, "given twice (image/file_name, caption/text are synonyms)");
        }
        if (!n.get(key).isTextual()) {
            throw new BadInputException(where + ": " + key, "expected a string");
        }
        return n.get(key).asText();
    }

    /**
     * Every image of {@code images} (recursively) with the caption in {@code captions/<stem>.txt} (COCONut-PanCap's and
     * the PanCap world's layout: {@code images/000000000001.png}, {@code captions/000000000001.txt}).
     */
    public static List<Item> fromTextFolder(Path captions, Path images) throws IOException {
        List<Item> items = new ArrayList<>();
        for (Path image : ImageFolder.list(images, "--images")) {
            String name = image.getFileName().toString();
            Path txt = captions.resolve(name.substring(0, name.lastIndexOf('.')) + ".txt");
            if (!Files.isRegularFile(txt)) {
                throw new BadInputException(txt.toString(), "missing: no caption for " + image);
            }
            items.add(new Item(ImageFolder.relative(images, image), image, Files.readString(txt, StandardCharsets.UTF_8).trim()));
        }
        return items;
    }

    /** A GenEval folder ({@code <00000>/metadata.jsonl}, {@code samples/NNNN.png}): each image with its prompt. */
    public static List<Item> fromGeneval(Path dir) throws IOException {
        List<Item> items = new ArrayList<>();
        for (Layout.PromptImages p : Layout.scan(dir)) {
            for (Path image : p.images()) {
                items.add(new Item(ImageFolder.relative(dir, image), image, p.metadata().prompt()));
            }
        }
        if (items.isEmpty()) {
            throw new BadInputException("--geneval " + dir, "no images (<00000>/samples/NNNN.png) in the prompt folders");
        }
        return items;
    }
}

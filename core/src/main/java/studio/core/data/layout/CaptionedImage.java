package studio.core.data.layout;

import java.nio.file.Path;

/** An image file and its caption text, as the simple layouts store them (the text exactly as in the file). */
public record CaptionedImage(String id, Path image, String caption) {}

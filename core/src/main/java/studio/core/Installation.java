package studio.core;

import java.nio.file.Path;

/**
 * Where the studio is installed: the folder holding {@code models/} (the embedded {@code pancap-tiny}) and
 * {@code configs/}. The {@code ./studio} launcher passes it as {@code -Dstudio.home}; without it (tests, an IDE)
 * it is the current directory. Not the server's {@code --home}, which holds a user's database and images.
 */
public final class Installation {
    private Installation() {}

    public static Path root() {
        return Path.of(System.getProperty("studio.home", ".")).toAbsolutePath().normalize();
    }

    /** {@code <root>/models}: named models ({@code --model NAME}) live here. */
    public static Path models() {
        return root().resolve("models");
    }
}

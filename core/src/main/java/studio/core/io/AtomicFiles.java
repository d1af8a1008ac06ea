package studio.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Atomic replacement of output files: write a temporary file in the target's folder (same file
 * system, so the rename is atomic), then rename it over the target. Readers (the web UI, a
 * concurrent evaluation) therefore see either the old file or the complete new one, never a
 * half-written image or checkpoint. Every atomic writer of the project goes through here.
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /** A fresh temporary path next to {@code target}, keeping its extension (FFmpeg muxers look at it). */
    public static Path tempSibling(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        Files.createDirectories(folder);
        String name = absolute.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String suffix = dot > 0 ? name.substring(dot) : ".tmp";
        Path temp = Files.createTempFile(folder, "." + name + ".", ".part" + suffix);
        // createTempFile makes the file owner-only (0600); outputs are ordinary files (0644), as a plain write makes them.
        if (Files.getFileStore(temp).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
        }
        return temp;
    }

    /** Renames {@code temp} over {@code target}; deletes {@code temp} if that fails. */
    public static void commit(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Writes {@code bytes} to {@code target} atomically, synced to disk before the rename. */
    public static void write(Path target, byte[] bytes) {
        try {
            Path temp = tempSibling(target);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
            commit(temp, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }
}

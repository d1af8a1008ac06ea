package studio.server.app;

import java.net.InetAddress;
import java.net.UnknownHostException;
import studio.core.BadInputException;

/**
 * How the server faces the network.
 *
 * @param host the bind address; anything but loopback requires a token
 * @param token when non-null every {@code /api} call needs {@code Authorization: Bearer <token>}
 * @param maxBodyBytes larger request bodies are refused with 413
 * @param queueCapacity jobs that may wait for the device worker; one more is a 429
 */
public record ServerSettings(String host, String token, long maxBodyBytes, int queueCapacity) {
    public static final long DEFAULT_MAX_BODY = 256 * 1024;
    public static final int DEFAULT_QUEUE = 32;

    public ServerSettings {
        if (token != null && token.length() < 16) {
            throw new BadInputException("--token", "must be at least 16 characters");
        }
        if (!isLoopback(host) && token == null) {
            throw new BadInputException("--host " + host, "binding beyond loopback requires --token (every API call"
                    + " then needs Authorization: Bearer <token>)");
        }
        if (maxBodyBytes < 1024 || queueCapacity < 1) {
            throw new IllegalArgumentException("maxBodyBytes ≥ 1024 and queueCapacity ≥ 1 required");
        }
    }

    public static ServerSettings loopback() {
        return new ServerSettings("127.0.0.1", null, DEFAULT_MAX_BODY, DEFAULT_QUEUE);
    }

    /** True for 127.0.0.0/8, ::1 and names that resolve only there (localhost). */
    public static boolean isLoopback(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            throw new BadInputException("--host " + host, "unknown host");
        }
    }
}

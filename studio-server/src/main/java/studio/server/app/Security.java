package studio.server.app;

import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Map;

/**
 * The checks every {@code /api} request passes before its handler:
 * <ul>
 *   <li>with a token: {@code Authorization: Bearer <token>} (constant-time comparison), else 401;</li>
 *   <li>without one (loopback only): the Host header must name the loopback (a web page elsewhere cannot reach the
 *       API through DNS rebinding), else 403;</li>
 *   <li>a request with a body must declare {@code application/json} (a cross-site form post cannot), else 415.</li>
 * </ul>
 */
final class Security {
    private final byte[] token;

    Security(ServerSettings settings) {
        this.token = settings.token() == null ? null : settings.token().getBytes(StandardCharsets.UTF_8);
    }

    void check(Context ctx) {
        if (token != null) {
            String auth = ctx.header("Authorization");
            String prefix = "Bearer ";
            byte[] given = auth != null && auth.startsWith(prefix)
                    ? auth.substring(prefix.length()).getBytes(StandardCharsets.UTF_8) : new byte[0];
            if (!MessageDigest.isEqual(token, given)) {
                ctx.header("WWW-Authenticate", "Bearer");
                throw new HttpResponseException(401, auth == null ? "missing Authorization: Bearer <token>"
                        : "wrong token", Map.of());
            }
        } else if (!loopbackHost(ctx.host())) {
            throw new HttpResponseException(403, "Host '" + ctx.host() + "' is not the loopback; bind with --host and"
                    + " --token to serve other hosts", Map.of());
        }
        String method = ctx.method().name();
        boolean hasBody = ctx.req().getContentLengthLong() > 0 || ctx.header("Transfer-Encoding") != null;
        if (hasBody && (method.equals("POST") || method.equals("PUT") || method.equals("PATCH"))) {
            String type = ctx.contentType();
            if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
                throw new HttpResponseException(415, "request bodies must be application/json", Map.of());
            }
        }
    }

    static boolean loopbackHost(String hostHeader) {
        if (hostHeader == null) {
            return false;
        }
        String h = hostHeader.toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            return h.startsWith("[::1]");
        }
        int colon = h.indexOf(':');
        String name = colon >= 0 ? h.substring(0, colon) : h;
        return name.equals("localhost") || name.matches("127(\\.\\d{1,3}){3}");
    }
}

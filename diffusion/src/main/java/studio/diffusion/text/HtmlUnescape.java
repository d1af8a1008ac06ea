package studio.diffusion.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code html.unescape}, which CLIP's {@code basic_clean} applies twice (SD3.md §4.4): numeric
 * references (with the HTML5 remapping of C1/NUL/CR and the dropped non-characters) and named
 * references from the HTML5 table, including the legacy names accepted without ';' as the longest
 * prefix. The table is {@code html_unescape.tsv}, generated from Python's own module by
 * tools/reference/text_reference.py. Replacements keep the origin of the '&' they replace.
 */
final class HtmlUnescape {
    private static final Pattern REF = Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");
    private static final Map<String, String> NAMED = new HashMap<>();
    private static final Map<Integer, String> REMAPPED = new HashMap<>();
    private static final Set<Integer> DROPPED = new HashSet<>();

    static {
        try (InputStream in = HtmlUnescape.class.getResourceAsStream("html_unescape.tsv");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] f = line.split("\t");
                switch (f[0]) {
                    case "E": NAMED.put(f[1], codePoints(f[2])); break;
                    case "C": REMAPPED.put(Integer.parseInt(f[1], 16), codePoints(f[2])); break;
                    case "X": DROPPED.add(Integer.parseInt(f[1], 16)); break;
                    default: break; // comment
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HtmlUnescape() {}

    static AlignedText unescape(AlignedText in) {
        String s = in.text();
        if (s.indexOf('&') < 0) {
            return in;
        }
        AlignedText out = new AlignedText();
        Matcher m = REF.matcher(s);
        int last = 0;
        while (m.find()) {
            out.appendFrom(in, last, m.start());
            out.append(replacement(m.group(1)), in.origin(m.start(), s.length()));
            last = m.end();
        }
        out.appendFrom(in, last, s.length());
        return out;
    }

    private static String replacement(String ref) {
        if (ref.charAt(0) == '#') {
            boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
            String digits = ref.substring(hex ? 2 : 1).replace(";", "");
            BigInteger big = new BigInteger(digits, hex ? 16 : 10);
            if (big.bitLength() > 31) {
                return "\uFFFD";
            }
            int n = big.intValue();
            if (REMAPPED.containsKey(n)) {
                return REMAPPED.get(n);
            }
            if ((n >= 0xD800 && n <= 0xDFFF) || n > 0x10FFFF) {
                return "\uFFFD";
            }
            return DROPPED.contains(n) ? "" : new String(Character.toChars(n));
        }
        String named = NAMED.get(ref);
        if (named != null) {
            return named;
        }
        for (int x = ref.length() - 1; x > 1; x--) {
            String prefix = NAMED.get(ref.substring(0, x));
            if (prefix != null) {
                return prefix + ref.substring(x);
            }
        }
        return "&" + ref;
    }

    private static String codePoints(String hexList) {
        StringBuilder sb = new StringBuilder();
        for (String h : hexList.split(" ")) {
            sb.appendCodePoint(Integer.parseInt(h, 16));
        }
        return sb.toString();
    }
}

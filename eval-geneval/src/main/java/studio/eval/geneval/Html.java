package studio.eval.geneval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reports' templating: {@code {{name}}} placeholders filled with escaped text, or with {@link Raw} markup
 * that was itself built here. Text never reaches the page unescaped, so a prompt such as
 * {@code a <b>red</b> "cup"} shows as typed.
 */
final class Html {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z_]+)}}");

    /** Markup to insert as is. */
    record Raw(String html) {
        @Override
        public String toString() {
            return html;
        }
    }

    private Html() {}

    /** Text as HTML: {@code & < > " '} escaped (safe in element content and quoted attributes). */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * {@code template} with each {@code {{name}}} replaced by the value given for it: a {@link Raw} as is, anything
     * else as escaped {@code String.valueOf}. Values come in pairs {@code "name", value}; a placeholder without a
     * value, or a value without a placeholder, is a programming error.
     */
    static Raw fill(String template, Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs");
        }
        Map<String, Object> values = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            values.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder(template.length() * 2);
        List<String> used = new ArrayList<>();
        while (m.find()) {
            String name = m.group(1);
            if (!values.containsKey(name)) {
                throw new IllegalArgumentException("no value for {{" + name + "}}");
            }
            used.add(name);
            Object v = values.get(name);
            m.appendReplacement(out, Matcher.quoteReplacement(v instanceof Raw raw ? raw.html() : escape(String.valueOf(v))));
        }
        m.appendTail(out);
        if (!used.containsAll(values.keySet())) {
            throw new IllegalArgumentException("values without a placeholder: " + values.keySet().stream().filter(k -> !used.contains(k)).toList());
        }
        return new Raw(out.toString());
    }

    static Raw join(List<Raw> parts) {
        StringBuilder out = new StringBuilder();
        parts.forEach(p -> out.append(p.html()));
        return new Raw(out.toString());
    }
}

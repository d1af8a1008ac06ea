package studio.core.data.caption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** No input makes the tag parser throw anything but {@link TagSyntaxException} (issue 3, "Bad input"). */
class TagParserFuzzTest {
    private static final String ALPHABET = "<<>>::,,0123456789 \t\nab\u00e9\ud83d\ude00\ud800\u0000-";

    @Test
    void randomTextOnlyEverThrowsTagSyntaxException() {
        SplittableRandom random = new SplittableRandom(20240603L);
        int parsed = 0;
        for (int i = 0; i < 60_000; i++) {
            String text = i % 3 == 0 ? mutate(validCaption(random), random) : randomText(random);
            try {
                GroundedCaption c = TagParser.parse(text, "fuzz");
                parsed++;
                String canonical = TagWriter.format(c);
                assertEquals(c, TagParser.parse(canonical, "fuzz"), canonical);
            } catch (TagSyntaxException expected) {
                // the one allowed failure
            } catch (RuntimeException | Error other) {
                fail("input " + escape(text) + " threw " + other, other);
            }
        }
        // The generator is built so that a good share of inputs parse; a parser that rejected all would be wrong.
        if (parsed < 2_000) {
            fail("only " + parsed + " inputs parsed");
        }
    }

    private static String randomText(SplittableRandom random) {
        int length = random.nextInt(40);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return s.toString();
    }

    private static String validCaption(SplittableRandom random) {
        StringBuilder s = new StringBuilder("The");
        for (int i = 0; i < 1 + random.nextInt(4); i++) {
            s.append(" word <").append(random.nextInt(20));
            if (random.nextBoolean()) {
                s.append(" , ").append(random.nextInt(20));
            }
            s.append(random.nextBoolean() ? ":" : " : ").append("a red star").append(random.nextBoolean() ? ">" : " >");
        }
        return s.append('.').toString();
    }

    private static String mutate(String text, SplittableRandom random) {
        StringBuilder s = new StringBuilder(text);
        for (int i = 0; i < random.nextInt(3); i++) {
            int at = random.nextInt(s.length());
            if (random.nextBoolean()) {
                s.deleteCharAt(at);
            } else {
                s.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
        }
        return s.toString();
    }

    private static String escape(String text) {
        StringBuilder s = new StringBuilder("\"");
        text.chars().forEach(c -> s.append(c < 32 || c > 126 ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return s.append('"').toString();
    }
}

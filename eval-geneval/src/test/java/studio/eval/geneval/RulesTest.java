package studio.eval.geneval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import studio.core.data.geneval.GenevalPromptFile;
import studio.core.data.geneval.GenevalPromptLine;
import studio.core.data.geneval.GenevalTask;
import studio.core.data.geneval.Relation;

/**
 * Crafted detections against the official rules (evaluate_images.py at af4902f). Reason strings are the
 * official f-strings. Colours come from the detections (the rules never see an image).
 */
class RulesTest {
    private static final ColorLookup GIVEN_COLORS = (className, found) -> found.stream().map(Detection::color).toList();

    static GenevalPromptLine prompt(String json) {
        return GenevalPromptFile.parseLine(json, 0, "test");
    }

    static Detection det(String className, double score, double x1, double y1, double x2, double y2) {
        return Detection.of(className, score, new Box(x1, y1, x2, y2));
    }

    static Detection det(String className, double score) {
        return det(className, score, 0, 0, 10, 10);
    }

    static Verdict judge(GenevalPromptLine prompt, List<Detection> detections) {
        return judge(prompt, detections, RuleOptions.OFFICIAL);
    }

    static Verdict judge(GenevalPromptLine prompt, List<Detection> detections, RuleOptions options) {
        Map<String, List<Detection>> kept = Rules.selectObjects(detections, prompt.task(), options);
        return Rules.evaluate(kept, prompt, GIVEN_COLORS, options);
    }

    static void pass(Verdict v) {
        assertEquals(new Verdict(true, ""), v);
    }

    static void fail(Verdict v, String reason) {
        assertEquals(new Verdict(false, reason), v);
    }

    @Nested
    class SingleObject {
        final GenevalPromptLine bench = prompt("{\"tag\": \"single_object\", \"include\": [{\"class\": \"bench\", \"count\": 1}], \"prompt\": \"a photo of a bench\"}");

        @Test
        void scoreMustBeStrictlyAboveThePointThreeThreshold() {
            pass(judge(bench, List.of(det("bench", 0.3000001))));
            fail(judge(bench, List.of(det("bench", 0.3))), "expected bench>=1, found 0");
        }

        @Test
        void anotherClassDoesNotCount() {
            fail(judge(bench, List.of(det("chair", 0.99))), "expected bench>=1, found 0");
            fail(judge(bench, List.of()), "expected bench>=1, found 0");
        }
    }

    @Nested
    class TwoObject {
        final GenevalPromptLine benchAndBall = prompt("{\"tag\": \"two_object\", \"include\": [{\"class\": \"bench\", \"count\": 1}, "
                + "{\"class\": \"sports ball\", \"count\": 1}], \"prompt\": \"a photo of a bench and a sports ball\"}");

        @Test
        void bothObjectsAboveThreshold() {
            pass(judge(benchAndBall, List.of(det("sports ball", 0.5), det("bench", 0.31))));
        }

        @Test
        void eachMissingObjectGivesOneReasonInIncludeOrder() {
            fail(judge(benchAndBall, List.of(det("bench", 0.9), det("sports ball", 0.2))), "expected sports ball>=1, found 0");
            fail(judge(benchAndBall, List.of()), "expected bench>=1, found 0\nexpected sports ball>=1, found 0");
        }
    }

    @Nested
    class Counting {
        final GenevalPromptLine twoClocks = prompt("{\"tag\": \"counting\", \"include\": [{\"class\": \"clock\", \"count\": 2}], "
                + "\"exclude\": [{\"class\": \"clock\", \"count\": 3}], \"prompt\": \"a photo of two clocks\"}");

        @Test
        void exactlyNAboveTheCountingThreshold() {
            pass(judge(twoClocks, List.of(det("clock", 0.95), det("clock", 0.91))));
            // A third clock at exactly 0.9 is not kept (strict >), so the exclude does not fire.
            pass(judge(twoClocks, List.of(det("clock", 0.95), det("clock", 0.91), det("clock", 0.9))));
        }

        @Test
        void oneTooManyFiresTheExclude() {
            fail(judge(twoClocks, List.of(det("clock", 0.95), det("clock", 0.91), det("clock", 0.900001))),
                    "expected clock<3, found 3");
        }

        @Test
        void detectionsBetweenPointThreeAndPointNineDoNotCountHere() {
            fail(judge(twoClocks, List.of(det("clock", 0.95), det("clock", 0.89))), "expected clock>=2, found 1");
            // The same detections satisfy a two_object-style prompt, whose threshold is 0.3.
            GenevalPromptLine twoObject = prompt("{\"tag\": \"two_object\", \"include\": [{\"class\": \"clock\", \"count\": 2}], \"prompt\": \"p\"}");
            pass(judge(twoObject, List.of(det("clock", 0.95), det("clock", 0.89))));
        }

        @Test
        void excludeAndIncludeCanBothFail() {
            GenevalPromptLine mixed = prompt("{\"tag\": \"counting\", \"include\": [{\"class\": \"cat\", \"count\": 2}], "
                    + "\"exclude\": [{\"class\": \"dog\", \"count\": 1}], \"prompt\": \"p\"}");
            fail(judge(mixed, List.of(det("cat", 0.99), det("dog", 0.95))), "expected cat>=2, found 1\nexpected dog<1, found 1");
        }

        @Test
        void atMostSixteenPerClassAreKeptBestFirst() {
            List<Detection> twenty = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                twenty.add(det("clock", 0.91 + i * 0.004));
            }
            List<Detection> kept = Rules.selectObjects(twenty, GenevalTask.COUNTING, RuleOptions.OFFICIAL).get("clock");
            assertEquals(16, kept.size());
            assertEquals(twenty.get(19), kept.get(0));
            assertEquals(twenty.get(4), kept.get(15));
            GenevalPromptLine sixteen = prompt("{\"tag\": \"counting\", \"include\": [{\"class\": \"clock\", \"count\": 16}], "
                    + "\"exclude\": [{\"class\": \"clock\", \"count\": 17}], \"prompt\": \"p\"}");
            pass(judge(sixteen, twenty));
            GenevalPromptLine seventeen = prompt("{\"tag\": \"counting\", \"include\": [{\"class\": \"clock\", \"count\": 17}], \"prompt\": \"p\"}");
            fail(judge(seventeen, twenty), "expected clock>=17, found 16");
        }

        @Test
        void capIsAppliedAfterTheThreshold() {
            List<Detection> detections = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                detections.add(det("clock", 0.5));
            }
            detections.add(det("clock", 0.95));
            detections.add(det("clock", 0.96));
            assertEquals(2, Rules.selectObjects(detections, GenevalTask.COUNTING, RuleOptions.OFFICIAL).get("clock").size());
            assertEquals(16, Rules.selectObjects(detections, GenevalTask.TWO_OBJECT, RuleOptions.OFFICIAL).get("clock").size());
        }

        @Test
        void optionalNmsSuppressesOverlapsWithInclusiveIou() {
            List<Detection> overlapping = List.of(det("clock", 0.95, 0, 0, 9, 9), det("clock", 0.93, 5, 0, 14, 9),
                    det("clock", 0.92, 50, 50, 59, 59));
            assertEquals(1.0 / 3, Rules.iou(overlapping.get(0).box(), overlapping.get(1).box()), 1e-15);
            RuleOptions nms = RuleOptions.OFFICIAL.with("max_overlap", "0.3");
            fail(judge(twoClocks, overlapping), "expected clock<3, found 3");
            pass(judge(twoClocks, overlapping, nms));
            assertEquals(List.of(overlapping.get(0), overlapping.get(2)),
                    Rules.selectObjects(overlapping, GenevalTask.COUNTING, nms).get("clock"));
            assertEquals(3, Rules.selectObjects(overlapping, GenevalTask.COUNTING, RuleOptions.OFFICIAL.with("max_overlap", "0.34")).get("clock").size());
        }

        @Test
        void equalScoresPutTheLaterDetectionFirstAsNumpyArgsortReversed() {
            Detection first = det("clock", 0.95, 0, 0, 10, 10);
            Detection second = det("clock", 0.95, 20, 0, 30, 10);
            assertEquals(List.of(second, first), Rules.selectObjects(List.of(first, second), GenevalTask.COUNTING, RuleOptions.OFFICIAL).get("clock"));
        }
    }

    @Nested
    class Colors {
        final GenevalPromptLine blueHydrant = prompt("{\"tag\": \"colors\", \"include\": [{\"class\": \"fire hydrant\", \"count\": 1, \"color\": \"blue\"}], "
                + "\"prompt\": \"a photo of a blue fire hydrant\"}");

        @Test
        void rightColourPasses() {
            pass(judge(blueHydrant, List.of(det("fire hydrant", 0.8).withColor("blue"))));
        }

        @Test
        void wrongColourFailsWithTheOfficialTally() {
            fail(judge(blueHydrant, List.of(det("fire hydrant", 0.8).withColor("red"))),
                    "expected blue fire hydrant>=1, found 0 blue; and 1 red");
        }

        @Test
        void onlyTheMostConfidentDetectionsAreColourChecked() {
            List<Detection> detections = List.of(det("fire hydrant", 0.8).withColor("blue"), det("fire hydrant", 0.9).withColor("red"));
            fail(judge(blueHydrant, detections), "expected blue fire hydrant>=1, found 0 blue; and 1 red");
        }

        @Test
        void tallyListsColoursInTheOfficialOrder() {
            GenevalPromptLine threeRed = prompt("{\"tag\": \"colors\", \"include\": [{\"class\": \"cup\", \"count\": 3, \"color\": \"red\"}], \"prompt\": \"p\"}");
            List<Detection> cups = List.of(det("cup", 0.9).withColor("white"), det("cup", 0.8).withColor("red"), det("cup", 0.7).withColor("orange"));
            fail(judge(threeRed, cups), "expected red cup>=3, found 1 red; and 1 red, 1 orange, 1 white");
        }
    }

    @Nested
    class ColorAttribution {
        final GenevalPromptLine greenCupRedPizza = prompt("{\"tag\": \"color_attr\", \"include\": [{\"class\": \"cup\", \"count\": 1, \"color\": \"green\"}, "
                + "{\"class\": \"pizza\", \"count\": 1, \"color\": \"red\"}], \"prompt\": \"a photo of a green cup and a red pizza\"}");

        @Test
        void eachObjectWithItsOwnColourPasses() {
            pass(judge(greenCupRedPizza, List.of(det("cup", 0.7).withColor("green"), det("pizza", 0.6).withColor("red"))));
        }

        @Test
        void swappedColoursFailBothClauses() {
            fail(judge(greenCupRedPizza, List.of(det("cup", 0.7).withColor("red"), det("pizza", 0.6).withColor("green"))),
                    "expected green cup>=1, found 0 green; and 1 red\nexpected red pizza>=1, found 0 red; and 1 green");
        }

        @Test
        void aMissingObjectIsNotColourChecked() {
            fail(judge(greenCupRedPizza, List.of(det("pizza", 0.6).withColor("red"))), "expected cup>=1, found 0");
        }
    }

    @Nested
    class Position {
        final GenevalPromptLine dogRightOfBear = prompt("{\"tag\": \"position\", \"include\": [{\"class\": \"teddy bear\", \"count\": 1}, "
                + "{\"class\": \"dog\", \"count\": 1, \"position\": [\"right of\", 0]}], \"prompt\": \"a photo of a dog right of a teddy bear\"}");
        final Detection bear = det("teddy bear", 0.9, 0, 0, 10, 10);

        /** A 10×10 dog whose centre is {@code dx} right of the bear's and {@code dy} below it. */
        Detection dogAt(double dx, double dy) {
            return det("dog", 0.9, dx, dy, 10 + dx, 10 + dy);
        }

        @Test
        void marginIsPointOneOfTheSummedBoxWidthsAndTheRatioMustExceedOneHalf() {
            // margin = 0.1 × (10 + 10) = 2; (dx − 2) / dx > 0.5 needs dx > 4.
            fail(judge(dogRightOfBear, List.of(bear, dogAt(4, 0))), "expected dog right of target, found  target");
            pass(judge(dogRightOfBear, List.of(bear, dogAt(4 + 0x1p-10, 0))));
            assertEquals(List.of(Relation.RIGHT_OF), Rules.relativePosition(dogAt(4 + 0x1p-10, 0).box(), bear.box(), 0.1));
        }

        @Test
        void offsetsInsideTheMarginHaveNoRelation() {
            assertEquals(List.of(), Rules.relativePosition(dogAt(2.0005, 0).box(), bear.box(), 0.1));
            assertEquals(List.of(), Rules.relativePosition(dogAt(0, 0).box(), bear.box(), 0.1));
            // 1e-3 past the margin is a relation: revised/offset = 0.001/2.001 is not > 0.5 though.
            assertEquals(List.of(), Rules.relativePosition(dogAt(2.002, 0).box(), bear.box(), 0.1));
        }

        @Test
        void marginScalesWithBoxSizesNotTheImage() {
            Detection wideBear = det("teddy bear", 0.9, 0, 0, 100, 10);
            // Centres 20 apart: margin 0.1 × (100 + 10) = 11, ratio 9/20 < 0.5.
            Detection dog = det("dog", 0.9, 65, 0, 75, 10);
            fail(judge(dogRightOfBear, List.of(wideBear, dog)), "expected dog right of target, found  target");
            pass(judge(dogRightOfBear, List.of(wideBear, det("dog", 0.9, 78, 0, 88, 10))));
        }

        @Test
        void diagonalOffsetsGiveTwoRelationsAndTheReasonJoinsThem() {
            assertEquals(List.of(Relation.RIGHT_OF, Relation.BELOW), Rules.relativePosition(dogAt(10, 10).box(), bear.box(), 0.1));
            pass(judge(dogRightOfBear, List.of(bear, dogAt(10, 10))));
            fail(judge(dogRightOfBear, List.of(bear, dogAt(-10, 10))), "expected dog right of target, found left of and below target");
        }

        @Test
        void aboveMeansSmallerYInImageCoordinates() {
            assertEquals(List.of(Relation.ABOVE), Rules.relativePosition(dogAt(0, -20).box(), bear.box(), 0.1));
            assertEquals(List.of(Relation.BELOW), Rules.relativePosition(dogAt(0, 20).box(), bear.box(), 0.1));
        }

        @Test
        void missingReferenceGivesNoTargetAndMissingObjectIsCounted() {
            fail(judge(dogRightOfBear, List.of(dogAt(20, 0))), "expected teddy bear>=1, found 0\nno target for dog to be right of");
            fail(judge(dogRightOfBear, List.of(bear)), "expected dog>=1, found 0");
        }

        @Test
        void everyObjectMustHaveTheRelationToEveryTarget() {
            GenevalPromptLine dogRightOfTwoBears = prompt("{\"tag\": \"position\", \"include\": [{\"class\": \"teddy bear\", \"count\": 2}, "
                    + "{\"class\": \"dog\", \"count\": 1, \"position\": [\"right of\", 0]}], \"prompt\": \"p\"}");
            Detection farBear = det("teddy bear", 0.8, 100, 0, 110, 10);
            fail(judge(dogRightOfTwoBears, List.of(bear, farBear, dogAt(20, 0))), "expected dog right of target, found left of target");
            pass(judge(dogRightOfTwoBears, List.of(bear, farBear, dogAt(120, 0))));
        }

        @Test
        void onlyTheMostConfidentObjectIsPositionChecked() {
            Detection leftDog = det("dog", 0.95, -30, 0, -20, 10);
            Detection rightDog = det("dog", 0.6, 30, 0, 40, 10);
            fail(judge(dogRightOfBear, List.of(bear, rightDog, leftDog)), "expected dog right of target, found left of target");
        }

        @Test
        void positionThresholdOptionChangesTheMargin() {
            RuleOptions wider = RuleOptions.OFFICIAL.with("position_threshold", "0.2");
            pass(judge(dogRightOfBear, List.of(bear, dogAt(5, 0))));
            assertFalse(judge(dogRightOfBear, List.of(bear, dogAt(5, 0)), wider).correct());
            assertTrue(judge(dogRightOfBear, List.of(bear, dogAt(8.5, 0)), wider).correct());
        }
    }
}

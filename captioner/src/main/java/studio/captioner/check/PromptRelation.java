package studio.captioner.check;

/** "subject RELATION object" between two prompt entities; relation is one of {@link PromptParser#RELATIONS}. */
public record PromptRelation(int subject, String relation, int object, String text) {}

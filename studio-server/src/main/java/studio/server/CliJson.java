package studio.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import picocli.CommandLine.Model.CommandSpec;

/** Commands print their results as indented JSON on stdout, through this one mapper. */
final class CliJson {
    static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CliJson() {}

    static void print(CommandSpec spec, Object value) throws JsonProcessingException {
        spec.commandLine().getOut().println(PRETTY.writeValueAsString(value));
        spec.commandLine().getOut().flush();
    }
}

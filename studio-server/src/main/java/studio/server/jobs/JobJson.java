package studio.server.jobs;

import java.util.LinkedHashMap;
import java.util.Map;
import studio.server.store.JobRow;

/** The API's view of a job, shared by the REST routes and the state events. */
public final class JobJson {
    private JobJson() {}

    public static Map<String, Object> of(JobRow j) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", j.id());
        m.put("kind", j.kind());
        m.put("state", j.state());
        m.put("step", j.step());
        m.put("steps", j.steps());
        m.put("params", j.params());
        m.put("result", j.result());
        m.put("error", j.error());
        m.put("createdMs", j.createdMs());
        m.put("startedMs", j.startedMs());
        m.put("finishedMs", j.finishedMs());
        m.put("eventsUrl", "/api/jobs/" + j.id() + "/events");
        return m;
    }
}

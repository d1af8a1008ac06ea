package studio.server.app;

import io.javalin.Javalin;
import java.io.IOException;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.server.jobs.JobEvents;
import studio.server.jobs.JobQueue;
import studio.server.store.Store;
import studio.server.work.ImageChecker;
import studio.server.work.ImageGenerator;
import studio.server.work.TokenCounter;

/**
 * A running studio: the database under the home (jobs left unfinished by a previous process marked interrupted),
 * the event fan-out, the queue with its device worker, and the app. {@link #close()} stops them in reverse order.
 */
public final class Studio implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Studio.class);
    private static final int EVENT_BUFFER = 4096;

    private final Deps deps;
    private final Javalin app;

    private Studio(Deps deps) {
        this.deps = deps;
        this.app = App.create(deps);
    }

    /** Opens the home and starts the worker; the HTTP server is started by {@link #start}. */
    public static Studio open(ServerSettings settings, Roots roots, ImageGenerator generator, TokenCounter tokens,
                              ImageChecker checker, String version, String defaultModel) throws IOException {
        roots.createFolders();
        Clock clock = Clock.systemUTC();
        Store store = Store.open(roots.home().resolve("studio.db"));
        int interrupted = store.markUnfinishedInterrupted(clock.millis());
        if (interrupted > 0) {
            LOG.warn("{} job(s) were unfinished when the server last stopped; marked interrupted", interrupted);
        }
        JobEvents events = new JobEvents(EVENT_BUFFER);
        JobQueue queue = new JobQueue(store, events, settings.queueCapacity(), clock).start();
        return new Studio(new Deps(settings, roots, store, queue, events, generator, tokens, checker, clock, version,
                defaultModel));
    }

    public Deps deps() {
        return deps;
    }

    public Javalin app() {
        return app;
    }

    public Studio start(int port) {
        app.start(deps.settings().host(), port);
        return this;
    }

    @Override
    public void close() {
        app.stop();
        deps.queue().close();
        deps.events().close();
        deps.generator().close();
        deps.tokens().close();
        deps.store().markUnfinishedInterrupted(deps.clock().millis());
        deps.store().close();
    }
}

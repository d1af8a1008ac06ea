package studio.server.app;

import java.time.Clock;
import studio.server.jobs.JobEvents;
import studio.server.jobs.JobQueue;
import studio.server.store.Store;
import studio.server.work.ImageChecker;
import studio.server.work.ImageGenerator;
import studio.server.work.TokenCounter;

/**
 * Everything {@link App#create} wires together. Tests build it with fakes for the device work (a fast generator),
 * the real store in a temporary home and the real queue; {@link Studio} builds it for {@code studio serve}.
 *
 * @param defaultModel the model a request without {@code model} uses ({@code pancap-tiny})
 */
public record Deps(ServerSettings settings, Roots roots, Store store, JobQueue queue, JobEvents events,
                   ImageGenerator generator, TokenCounter tokens, ImageChecker checker, Clock clock, String version,
                   String defaultModel) {}
